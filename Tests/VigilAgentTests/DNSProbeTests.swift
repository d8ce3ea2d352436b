import NIOCore
import NIOPosix
import Testing
@testable import VigilAgent

/// An in-process authoritative responder on 127.0.0.1 (UDP) with a fixed zone.
final class ZoneResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// (name, type) → rdata
    static let zone: [String: [(UInt16, [UInt8])]] = [
        "web.test": [(1, [192, 0, 2, 10]), (1, [192, 0, 2, 11]), (28, [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])],
        "www.test": [(5, name("web.test"))],
        "test": [(15, [0, 10] + name("mail.test")), (16, [5] + Array("v=ok1".utf8) + [3] + Array("abc".utf8))],
    ]

    static func name(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        DNSMessage.appendName(text, &bytes)
        return bytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let query = Array(envelope.data.readableBytesView)
        var offset = 12
        guard let name = try? DNSMessage.readName(query, &offset), offset + 4 <= query.count else { return }
        let type = DNSMessage.read16(query, offset)
        let questionEnd = offset + 4
        let known = Self.zone[name]
        let records = (known ?? []).filter { $0.0 == type }
        var answer: [UInt8] = Array(query[0..<2])
        DNSMessage.append16(known == nil ? 0x8183 : 0x8180, &answer)  // response, RD+RA, NXDOMAIN or NOERROR
        DNSMessage.append16(1, &answer)
        DNSMessage.append16(UInt16(records.count), &answer)
        DNSMessage.append16(0, &answer)
        DNSMessage.append16(0, &answer)
        answer += query[12..<questionEnd]
        for (recordType, data) in records {
            answer += [0xc0, 12]  // pointer to the question name
            DNSMessage.append16(recordType, &answer)
            DNSMessage.append16(1, &answer)
            answer += [0, 0, 0, 60]
            DNSMessage.append16(UInt16(data.count), &answer)
            answer += data
        }
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer))), promise: nil)
    }
}

@Suite("DNS checks against an in-process responder")
struct DNSProbeTests {
    static func responder() async throws -> Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ZoneResponder()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static func probe(_ server: Channel, _ query: String, _ record: DNSRecordType, _ configure: (inout DNSCheckOptions) -> Void = { _ in }) async -> ProbeResult {
        var options = DNSCheckOptions(query: query)
        options.record = record
        options.server = "127.0.0.1:\(server.localAddress!.port!)"
        configure(&options)
        return await DNSProbe(options: options, timeoutMs: 1_000).run()
    }

    @Test("record types and expected answers")
    func records() async throws {
        let server = try await Self.responder()
        #expect(await Self.probe(server, "web.test", .a) { $0.expectAnswers = ["192.0.2.11"] }.status == .up)
        let missing = await Self.probe(server, "web.test", .a) { $0.expectAnswers = ["192.0.2.99"] }
        #expect(missing.status == .down)
        #expect(missing.message == "answer missing 192.0.2.99 (got 192.0.2.10, 192.0.2.11)")
        #expect(await Self.probe(server, "web.test", .aaaa) { $0.expectAnswers = ["2001:db8::1"] }.status == .up)
        #expect(await Self.probe(server, "www.test", .cname) { $0.expectAnswers = ["web.test."] }.status == .up)
        #expect(await Self.probe(server, "test", .mx) { $0.expectAnswers = ["mail.test"] }.status == .up)
        #expect(await Self.probe(server, "test", .mx) { $0.expectAnswers = ["10 mail.test"] }.status == .up)
        #expect(await Self.probe(server, "test", .txt) { $0.expectAnswers = ["v=ok1abc"] }.status == .up)
        let none = await Self.probe(server, "www.test", .a)
        #expect(none.message == "no A answer for www.test")
        try await server.close()
    }

    @Test("rcodes: NXDOMAIN is down unless expected")
    func rcodes() async throws {
        let server = try await Self.responder()
        let nx = await Self.probe(server, "nope.test", .a)
        #expect(nx.status == .down)
        #expect(nx.message == "rcode NXDOMAIN, expected NOERROR")
        #expect(await Self.probe(server, "nope.test", .a) { $0.expectRcode = "nxdomain" }.status == .up)
        try await server.close()
    }

    @Test("a server that does not answer times out")
    func silence() async throws {
        // A UDP socket that never answers.
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        var options = DNSCheckOptions(query: "web.test")
        options.server = "127.0.0.1:\(silent.localAddress!.port!)"
        let result = await DNSProbe(options: options, timeoutMs: 300).run()
        #expect(result.status == .down)
        #expect(result.message == "timeout after 300ms")
        try await silent.close()
    }

    @Test("IPv6 text follows RFC 5952")
    func ipv6() {
        #expect(DNSMessage.ipv6Text([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]) == "2001:db8::1")
        #expect(DNSMessage.ipv6Text([UInt8](repeating: 0, count: 16)) == "::")
        #expect(DNSMessage.ipv6Text([0, 1, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 10)) == "1:0:1::")
    }
}
