import NIOCore
import NIOPosix
import Testing
@testable import VigilAgent

/// A TCP peer that greets with a banner and echoes what it is sent, or stays silent.
final class BannerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let banner: String?

    init(banner: String?) { self.banner = banner }

    func channelActive(context: ChannelHandlerContext) {
        if let banner { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: banner)), promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
}

@Suite("TCP send/expect")
struct TCPBannerTests {
    static func server(banner: String?) async throws -> Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(BannerHandler(banner: banner)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test("a banner is matched; a wrong one is down with what was seen")
    func banner() async throws {
        let server = try await Self.server(banner: "SSH-2.0-OpenSSH_9.2\r\n")
        let port = server.localAddress!.port!
        #expect(await TCPProbe(host: "127.0.0.1", port: port, timeoutMs: 1_000, expect: "SSH-").run().status == .up)
        let wrong = await TCPProbe(host: "127.0.0.1", port: port, timeoutMs: 300, expect: "220 ").run()
        #expect(wrong.status == .down)
        #expect(wrong.message == #"answer "SSH-2.0-OpenSSH_9.2" missing "220 ""#)
        try await server.close()
    }

    @Test("sent text is answered; silence times out on time")
    func sendExpect() async throws {
        let echo = try await Self.server(banner: nil)
        let port = echo.localAddress!.port!
        #expect(await TCPProbe(host: "127.0.0.1", port: port, timeoutMs: 1_000, send: "PING\r\n", expect: "PING").run().status == .up)
        let clock = ContinuousClock()
        let start = clock.now
        let silent = await TCPProbe(host: "127.0.0.1", port: port, timeoutMs: 300, expect: "hello").run()
        #expect(silent.status == .down)
        #expect(silent.message == "timeout after 300ms")
        // Silence never ends by itself: a finite bound proves the deadline ended the probe. Generous for
        // the same reason as ProbeTests.httpTimeout (a loaded CI machine stalls whole seconds).
        #expect(clock.now - start < .seconds(10))
        try await echo.close()
    }
}
