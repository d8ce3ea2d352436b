import NIOCore
import NIOPosix

/// A TCP connect: up when the connection opens within the timeout.
public struct TCPProbe: Probe {
    /// Host name or address.
    public var host: String
    /// Port.
    public var port: Int
    /// Connect timeout, ms.
    public var timeoutMs: Int64

    public init(host: String, port: Int, timeoutMs: Int64) {
        self.host = host
        self.port = port
        self.timeoutMs = timeoutMs
    }

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(timeoutMs))
                .connect(host: host, port: port)
                .get()
            let latency = (clock.now - start).microseconds
            try? await channel.close()
            return ProbeResult(status: .up, latencyUs: latency)
        } catch {
            let latency = (clock.now - start).microseconds
            return ProbeResult(status: .down, latencyUs: latency, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }
}
