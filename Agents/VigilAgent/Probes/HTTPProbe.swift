import AsyncHTTPClient
import NIOCore
import VigilCore

/// An HTTP(S) GET: up when the status is in the expected set, down otherwise or on any transport error.
public struct HTTPProbe: Probe {
    /// The URL to fetch.
    public var url: String
    /// Accepted status codes.
    public var expectStatus: StatusCodeSet
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64
    /// The client to use (one fresh connection per probe).
    public var client: HTTPClient
    /// Sent as User-Agent.
    public var userAgent: String

    public init(url: String, expectStatus: StatusCodeSet, timeoutMs: Int64, client: HTTPClient, userAgent: String = "vigil-agent/\(VigilVersion.current)") {
        self.url = url
        self.expectStatus = expectStatus
        self.timeoutMs = timeoutMs
        self.client = client
        self.userAgent = userAgent
    }

    /// Body bytes read at most; the rest is not downloaded.
    static let maxBodyBytes = 1 << 20

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeoutMs))
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= Self.maxBodyBytes { break }
            }
            let latency = (clock.now - start).microseconds
            let code = Int(response.status.code)
            if expectStatus.contains(code) {
                return ProbeResult(status: .up, latencyUs: latency, code: Int32(code))
            }
            return ProbeResult(status: .down, latencyUs: latency, code: Int32(code), message: "status \(code)")
        } catch {
            let latency = (clock.now - start).microseconds
            return ProbeResult(status: .down, latencyUs: latency, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }

    /// A client suited to probing: a new connection per request, so every probe measures connecting too.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.maximumUsesPerConnection = 1
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.decompression = .enabled(limit: .size(Self.maxBodyBytes * 4))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
