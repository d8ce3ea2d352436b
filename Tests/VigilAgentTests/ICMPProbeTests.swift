import Testing
@testable import VigilAgent

@Suite("ICMP echo")
struct ICMPProbeTests {
    /// Whether this process may open an ICMP socket (root, CAP_NET_RAW, or ping_group_range).
    static var permitted: Bool {
        if case .notPermitted = ICMPProbe(host: "127.0.0.1", count: 1, timeoutMs: 200).ping() { return false }
        return true
    }

    @Test("127.0.0.1 answers with no loss", .enabled(if: permitted, "ICMP sockets are not permitted here"))
    func loopback() async {
        let result = await ICMPProbe(host: "127.0.0.1", count: 3, timeoutMs: 2_000).run()
        #expect(result.status == .up, "\(result.message)")
        #expect(result.code == 0)
        #expect(result.message.hasPrefix("0% loss, rtt avg "))
    }

    @Test("an unresolvable host is down with the reason")
    func unresolvable() async {
        let result = await ICMPProbe(host: "no-such-host.invalid", count: 1, timeoutMs: 500).run()
        #expect(result.status == .down || result.status == .unknown)
        #expect(result.message.contains("no-such-host.invalid") || result.message.contains("not permitted"))
    }

    @Test("echo requests carry a valid checksum")
    func checksum() {
        let packet = ICMPProbe.echoRequest(identifier: 0x1234, sequence: 7)
        #expect(ICMPProbe.checksum(packet) == 0)
        #expect(packet[0] == 8)
    }
}
