import Foundation
import Logging
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Issue 20's acceptance: a collector fed live (agents posting at once, group commit, tips in memory,
/// outages derived change by change) answers byte for byte what a store built from the same batches the
/// old way answers (one batch per transaction, every tip read back, outages rebuilt from the whole
/// history at the end).
@Suite("Live path against recompute")
struct LiveRecomputeTests {
    /// Every read a report is made of, over a window wholly in the past (so "now" changes nothing).
    static func reads(from: Int64, to: Int64) -> [String] {
        let window = "from=\(ISOTime.format(ms: from))&to=\(ISOTime.format(ms: to))"
        return [
            "/v1/report?\(window)", "/v1/report?\(window)&explain=true", "/v1/report?\(window)&method=timeslices", "/v1/report?\(window)&method=occurrences",
            "/v1/report?\(window)&unknown=down", "/v1/report/daily?\(window)&resolution=5m",
            "/v1/outages?since=\(ISOTime.format(ms: from))",
        ] + (0..<3).flatMap { ["/v1/services/svc-\($0)/sla?\(window)", "/v1/services/svc-\($0)/uptime?\(window)"] }
    }

    @Test("reports, daily figures, SLA and outages are byte-identical between the live and the recompute path",
          arguments: StoreEngine.available.flatMap { engine in (0..<UInt64(2)).map { (engine, $0) } })
    func byteIdentical(engine: StoreEngine, seed: UInt64) async throws {
        let live = try await TestCollector(engine: engine)
        let recomputed = try await TestCollector(engine: engine)
        var generator = SeededGenerator(seed: 50_000 + seed)
        // 200 steps of 10 s ending an hour ago, three agents seeing six checks with noise.
        let start = (WallClockForTests.nowMs() - 3 * 3_600_000) / 60_000 * 60_000
        let histories = StoredOutageTests.histories(&generator, agents: 3, steps: 200, start: start)
        let checks = StoredOutageTests.definitions()
        var plans: [[Batch]] = []
        var tokens: [String] = []
        for (agent, pieces) in histories.enumerated() {
            tokens.append(try await live.addAgent("a\(agent)"))
            _ = try await recomputed.addAgent("a\(agent)")
            var batches = pieces.enumerated().map { index, beats in
                Batch(sessionID: "s", seq: UInt64(index + 1), agentVersion: "t", checks: index == 0 ? checks : [], heartbeats: beats)
            }
            // About one batch in five delivered a few places late (never the one declaring the checks).
            for index in 1..<batches.count - 1 where Int.random(in: 0..<5, using: &generator) == 0 {
                batches.swapAt(index, Int.random(in: index + 1..<min(batches.count, index + 6), using: &generator))
            }
            plans.append(batches)
        }

        let batchesByAgent = plans
        let agentTokens = tokens

        // The old way, before either collector runs: one batch at a time, agent after agent, every tip
        // read back from the store, then every outage derived once from the whole history.
        let store = recomputed.collector.store
        for (agent, batches) in plans.enumerated() {
            for batch in batches {
                (store as? SQLiteStore)?.tips.removeAll()
                let now = WallClockForTests.nowMs()
                let outcome = try await store.ingest(IngestBatch(
                    agentID: Int64(agent + 1), batch: batch, rawBody: try BatchCodec.encodeForShipping(batch),
                    contentType: "application/x-protobuf", contentEncoding: "deflate",
                    receivedMs: now, oldestAcceptedMs: now - 86_400_000, newestAcceptedMs: now + 300_000
                ))
                #expect(outcome.accepted == batch.heartbeats.count)
            }
        }
        _ = try await StoredOutageTests.tracker(store).rebuild(nowMs: WallClockForTests.nowMs())

        try await withServices([live.collector, recomputed.collector]) { () async throws in
            let livePort = await live.ports.port()
            let recomputedPort = await recomputed.ports.port()
            // Live: the three agents post at once over HTTP.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (agent, batches) in batchesByAgent.enumerated() {
                    group.addTask {
                        for batch in batches {
                            let answer = try await IngestTests.post(livePort, body: try BatchCodec.encodeForShipping(batch), token: agentTokens[agent])
                            #expect(answer.status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let liveOutages = try await ReadAPITests.get(livePort, "/v1/outages?since=\(ISOTime.format(ms: start))", token: live.collector.adminToken).1
            let outageCount = (try JSONSerialization.jsonObject(with: liveOutages) as? [Any])?.count ?? 0
            #expect(outageCount > 0, "the history has outages")
            for path in Self.reads(from: start - 600_000, to: start + 2_100_000) {
                let (liveStatus, liveBody) = try await ReadAPITests.get(livePort, path, token: live.collector.adminToken)
                let (status, body) = try await ReadAPITests.get(recomputedPort, path, token: recomputed.collector.adminToken)
                #expect(liveStatus == 200 && status == 200, "\(path)")
                #expect(liveBody == body, "\(path)\nlive:       \(String(decoding: liveBody.prefix(600), as: UTF8.self))\nrecomputed: \(String(decoding: body.prefix(600), as: UTF8.self))")
            }
        }
        await live.remove()
        await recomputed.remove()
    }
}
