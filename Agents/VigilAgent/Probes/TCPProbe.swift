import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
import VigilCore
#endif

/// A TCP connect: up when the connection opens within the timeout; with `send`/`expect`, the text is
/// written after connecting and the answer must contain `expect` (a banner check such as `SSH-`).
public struct TCPProbe: Probe {
    /// Host name or address.
    public var host: String
    /// Port.
    public var port: Int
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64
    /// Text to send once connected.
    public var send: String?
    /// Text the peer's answer must contain.
    public var expect: String?

    public init(host: String, port: Int, timeoutMs: Int64, send: String? = nil, expect: String? = nil) {
        self.host = host
        self.port = port
        self.timeoutMs = timeoutMs
        self.send = send
        self.expect = expect
    }

    /// Answer bytes read at most while looking for `expect`.
    static let maxAnswerBytes = 64 << 10

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        let seen = SeenText()
        do {
            let message = try await withTimeout(milliseconds: timeoutMs) { [host, port, timeoutMs, send, expect] in
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.milliseconds(timeoutMs))
                    .connect(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                // Connecting to a free local ephemeral port can "succeed" by connecting to itself.
                if channel.channel.localAddress == channel.channel.remoteAddress {
                    try? await channel.channel.close()
                    throw IOError(errnoCode: ECONNREFUSED, reason: "self-connect")
                }
                return try await channel.executeThenClose { inbound, outbound -> String? in
                    if let send { try await outbound.write(ByteBuffer(string: send)) }
                    guard let expect else { return nil }
                    for try await chunk in inbound {
                        let answer = seen.append(String(buffer: chunk))
                        if answer.contains(expect) { return nil }
                        if answer.utf8.count > Self.maxAnswerBytes { break }
                    }
                    return Self.mismatch(seen.text, expect: expect)
                }
            }
            let latency = (clock.now - start).microseconds
            if let message { return ProbeResult(status: .down, latencyUs: latency, message: message) }
            return ProbeResult(status: .up, latencyUs: latency)
        } catch {
            let latency = (clock.now - start).microseconds
            // A peer that answered, but not what was expected, is told as such rather than as a timeout.
            if error is TimeoutError, let expect, !seen.text.isEmpty {
                return ProbeResult(status: .down, latencyUs: latency, message: Self.mismatch(seen.text, expect: expect))
            }
            return ProbeResult(status: .down, latencyUs: latency, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }

    static func mismatch(_ answer: String, expect: String) -> String {
        let shown = answer.prefix { !$0.isNewline }.prefix(60)
        return shown.isEmpty ? "no answer containing \"\(expect)\"" : "answer \"\(shown)\" missing \"\(expect)\""
    }
}

/// What the peer has said so far, readable after a timeout.
final class SeenText: Sendable {
    private let storage = Mutex("")

    func append(_ more: String) -> String {
        storage.withLock { text in
            text += more
            return text
        }
    }

    var text: String { storage.withLock { $0 } }
}
