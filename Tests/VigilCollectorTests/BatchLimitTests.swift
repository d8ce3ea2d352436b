import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Batch input limits")
struct BatchLimitTests {
    private func batch(heartbeats: Int = 1, check: CheckDefinition? = nil, message: String = "") -> Batch {
        let definition = check ?? CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        return Batch(
            sessionID: "s", seq: 1, agentVersion: "t", checks: [definition],
            heartbeats: (0..<heartbeats).map { Heartbeat(check: 1, timestampMs: Int64($0) * 1_000, status: .up, message: message) }
        )
    }

    @Test("overlong definitions are refused with the field and its size; too many heartbeats is 413 so agents split")
    func refused() {
        var long = batch(check: CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://" + String(repeating: "x", count: 3_000), intervalMs: 10_000, timeoutMs: 5_000))
        let error = #expect(throws: WireError.self) { try BatchRoute.validate(&long) }
        #expect(error?.message == "checks[0].target is 3007 bytes, more than 2048")
        #expect(error?.code == .malformedBody)

        var many = batch(heartbeats: BatchRoute.Limits.heartbeats + 1)
        let tooMany = #expect(throws: WireError.self) { try BatchRoute.validate(&many) }
        #expect(tooMany?.code == .bodyTooLarge)
        #expect(tooMany?.code.httpStatus == 413)
    }

    @Test("an overlong message is cut at a character boundary, the heartbeat kept")
    func messageCut() throws {
        // "é" is 2 bytes: 1,023 bytes of "a" then "é" does not fit in 1,024.
        var chatty = batch(message: String(repeating: "a", count: 1_023) + "é" + String(repeating: "b", count: 5_000))
        try BatchRoute.validate(&chatty)
        #expect(chatty.heartbeats.count == 1)
        #expect(chatty.heartbeats[0].message == String(repeating: "a", count: 1_023))
        var fine = batch(message: "HTTP 503")
        try BatchRoute.validate(&fine)
        #expect(fine.heartbeats[0].message == "HTTP 503")
    }

    @Test("a NUL in a name refuses the batch with the field; a NUL in a probe message becomes U+FFFD")
    func nul() throws {
        var named = batch(check: CheckDefinition(id: 1, name: "web", service: "we\u{0}b", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000))
        let error = #expect(throws: WireError.self) { try BatchRoute.validate(&named) }
        #expect(error?.message == "checks[0].service contains a NUL character")
        #expect(error?.code.httpStatus == 400)
        var banner = batch(message: "SSH-2.0\u{0}evil\u{0}")
        try BatchRoute.validate(&banner)
        #expect(banner.heartbeats[0].message == "SSH-2.0\u{FFFD}evil\u{FFFD}")
    }
}
