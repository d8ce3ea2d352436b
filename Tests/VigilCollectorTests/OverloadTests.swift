import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Ingest overload")
struct OverloadTests {
    @Test("with the ingest budget spent a batch gets 503 overloaded with Retry-After and nothing is stored; once it frees, the retry is stored once")
    func budgetSpent() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("busy")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let budget = harness.collector.ingestBudget
            #expect(budget.limitBytes == 256 << 20)
            let body = BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: WallClockForTests.nowMs() - 60_000, statuses: [.up, .down, .up]))

            // Other requests hold all but a few bytes: this one cannot even take its compressed body.
            let others = budget.limitBytes - 16
            #expect(budget.reserve(others))
            let refused = try await IngestTests.post(port, body: body, token: token)
            #expect(refused.status == 503)
            #expect(refused.retryAfter == "1")
            #expect(refused.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "overloaded")
            #expect(try await harness.collector.store.agents()[0].heartbeats == 0)
            #expect(budget.usedBytes == others)

            budget.release(others)
            let stored = try await IngestTests.post(port, body: body, token: token)
            #expect(stored.status == 200)
            #expect(stored.json["accepted"] as? Int == 3)
            #expect(budget.usedBytes == 0 && budget.requestsInFlight == 0)
        }
    }

    @Test("reservations never pass the limit, from many tasks at once, and all come back")
    func concurrentReservations() async {
        let budget = IngestBudget(limitBytes: 1_000)
        let taken = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { budget.reserve(30) ? 30 : 0 }
            }
            return await group.reduce(0, +)
        }
        #expect(taken == 990)
        #expect(budget.usedBytes == 990)
        budget.release(taken)
        #expect(budget.usedBytes == 0)
    }
}
