import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import VigilCore

/// An HTTP(S) request: up when the answer passes every expectation of its ``HTTPCheckOptions``, down
/// otherwise or on any transport error.
public struct HTTPProbe: Probe {
    /// What to send and expect.
    public var options: HTTPCheckOptions
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64
    /// The client to use (one fresh connection per probe).
    public var client: HTTPClient
    /// Sent as User-Agent.
    public var userAgent: String

    public init(options: HTTPCheckOptions, timeoutMs: Int64, client: HTTPClient, userAgent: String = "vigil-agent/\(VigilVersion.current)") {
        self.options = options
        self.timeoutMs = timeoutMs
        self.client = client
        self.userAgent = userAgent
    }

    /// Body bytes read at most; the rest is not downloaded.
    static let maxBodyBytes = 1 << 20

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        var request = HTTPClientRequest(url: options.url)
        request.method = HTTPMethod(rawValue: options.method)
        request.headers.add(name: "User-Agent", value: userAgent)
        for (name, value) in options.headers.sorted(by: { $0.key < $1.key }) { request.headers.replaceOrAdd(name: name, value: value) }
        if let body = options.body { request.body = .bytes(ByteBuffer(string: body)) }
        let needsBody = options.bodyContains != nil || options.bodyRegex != nil || options.jsonPath != nil
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeoutMs))
            var body: [UInt8] = []
            for try await chunk in response.body {
                if needsBody { body.append(contentsOf: chunk.readableBytesView.prefix(Self.maxBodyBytes - body.count)) }
                if body.count >= Self.maxBodyBytes { break }
            }
            let latency = (clock.now - start).microseconds
            let code = Int32(response.status.code)
            if let problem = check(status: Int(code), body: body) {
                return ProbeResult(status: .down, latencyUs: latency, code: code, message: problem)
            }
            return ProbeResult(status: .up, latencyUs: latency, code: code)
        } catch {
            let latency = (clock.now - start).microseconds
            return ProbeResult(status: .down, latencyUs: latency, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }

    /// The first expectation the answer fails, as the message operators will read; `nil` when all pass.
    func check(status: Int, body: [UInt8]) -> String? {
        guard options.expectStatus.contains(status) else { return "status \(status)" }
        let text = String(decoding: body, as: UTF8.self)
        if let needle = options.bodyContains, !text.contains(needle) { return "body missing \"\(needle)\"" }
        if let pattern = options.bodyRegex, let regex = try? Regex(pattern), text.firstMatch(of: regex) == nil {
            return "body does not match /\(pattern)/"
        }
        if let pathText = options.jsonPath, let path = JSONPath(pathText) {
            guard let document = JSONValue.parse(body) else {
                return "body is not JSON"
            }
            guard let value = path.value(in: document) else { return "json \(pathText) not found" }
            let rendered = value.rendered
            if let expected = options.jsonEquals, rendered != expected {
                return "json \(pathText) is \"\(rendered.prefix(80))\", expected \"\(expected)\""
            }
            if let expected = options.jsonContains {
                let holds: Bool
                if case .array(let elements) = value {
                    holds = elements.contains { $0.rendered == expected }
                } else {
                    holds = rendered.contains(expected)
                }
                if !holds { return "json \(pathText) does not contain \"\(expected)\"" }
            }
        }
        return nil
    }
}
