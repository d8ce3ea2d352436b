import Foundation
import GRDB
import Testing
import VigilCore
import VigilTestSupport
import VigilWire

@testable import VigilCollector

/// Newest heartbeats and minute rollups written behind the batches (SQLite, issue 20): the held state
/// alone, and a store that holds them against one that writes everything in each batch's transaction,
/// read while batches arrive and after a reopen that finds the held rows unwritten (a crash).
@Suite("Write-behind")
struct WriteBehindTests {
    static let minute: Int64 = 60_000
    static let services = ["api", "db", "web"]

    static func heartbeat(_ check: UInt32, _ timestampMs: Int64, _ status: CheckStatus = .up, latencyUs: UInt32 = 1_000) -> Heartbeat {
        Heartbeat(check: check, timestampMs: timestampMs, status: status, latencyUs: latencyUs, code: 200, message: "m\(timestampMs)")
    }

    @Test("held heartbeats: the newer one wins, they fall due in the order first held, written ones are forgotten")
    func heldState() {
        var state = WriteBehind.State()
        state.hold(latest: Self.heartbeat(1, 100), check: 1, ordinal: 0, nowMs: 1_000)
        state.hold(latest: Self.heartbeat(1, 90), check: 1, ordinal: 1, nowMs: 2_000)
        state.hold(latest: Self.heartbeat(2, 50), check: 2, ordinal: 1, nowMs: 2_000)
        state.hold(latest: Self.heartbeat(2, 50, .down), check: 2, ordinal: 1, nowMs: 2_000)
        state.nextOrdinal = 2
        // An older heartbeat does not replace a newer one; a tie goes to the later batch.
        #expect(state.latest[1]?.heartbeat.timestampMs == 100)
        #expect(state.latest[1]?.sinceOrdinal == 0)
        #expect(state.latest[2]?.heartbeat.status == .down)
        #expect(state.due(beforeMs: 1_500, beforeOrdinal: Int64.min, limit: 10) == [1])
        #expect(state.due(beforeMs: 3_000, beforeOrdinal: Int64.min, limit: 10) == [1, 2])
        #expect(state.due(beforeMs: 0, beforeOrdinal: 1, limit: 10) == [1])
        #expect(state.due(beforeMs: 3_000, beforeOrdinal: Int64.min, limit: 1) == [1])
        #expect(state.latestFrom == 0)
        state.wrote(latest: [1])
        #expect(state.latestFrom == 1)
        // Held again after it was written: it is due after check 2 now.
        state.hold(latest: Self.heartbeat(1, 120), check: 1, ordinal: 2, nowMs: 3_000)
        state.nextOrdinal = 3
        #expect(state.due(beforeMs: 10_000, beforeOrdinal: Int64.min, limit: 10) == [2, 1])
        state.wrote(latest: [2, 1])
        #expect(state.latest.isEmpty)
        #expect(state.latestFrom == 3)
    }

    /// Random batches (late, early and duplicate heartbeats, a second session that defines the checks
    /// again, a check moved to another service) go to both stores; the write-behind store has random
    /// settings and is asked now and then to write what is due. After some batches, every check's
    /// newest heartbeat and each service's counts over random ranges (whole minutes, hours across the
    /// folded instant, partial minutes) must be equal. At the end a second store opened on the same
    /// file (the first one's memory lost, as in a crash) must replay its journal into the same figures.
    @Test("reads, and a store reopened without writing what it held, equal a store that writes everything at once", arguments: 0..<8)
    func againstImmediate(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: 0xBE41_0000 + seed)
        let directory = try TemporaryDirectory("vigil-behind")
        defer { directory.remove() }
        let settings = WriteBehind.Settings(
            latestAfterMs: Int64.random(in: 0...(10 * Self.minute), using: &generator),
            maxJournalBatches: Int64.random(in: 1...60, using: &generator),
            latestPerCommit: Int.random(in: 1...4, using: &generator)
        )
        let behind = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: settings)
        let immediate = try SQLiteStore(path: directory.path + "/immediate.sqlite", writeBehind: .immediate)
        let agent = try await behind.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        _ = try await immediate.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        func definitions(moved: Bool) -> [CheckDefinition] {
            (1...4).map { index in
                let service = moved && index == 4 ? "api" : Self.services[(index - 1) % Self.services.count]
                return CheckDefinition(id: UInt32(index), name: "c\(index)", service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
            }
        }
        var now: Int64 = 40 * 86_400_000 - 3 * Self.minute
        var session = "s1"
        var seq: UInt64 = 0
        let batches = Int.random(in: 40...90, using: &generator)
        for index in 0..<batches {
            now += Int64.random(in: 0...(45_000), using: &generator)
            var checks: [CheckDefinition] = []
            if index == 0 {
                checks = definitions(moved: false)
            } else if Int.random(in: 0..<20, using: &generator) == 0 {
                session = "s\(index)"
                seq = 0
                checks = definitions(moved: Bool.random(using: &generator))
            }
            seq += 1
            var beats: [Heartbeat] = []
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                let offset: Int64 = switch Int.random(in: 0..<8, using: &generator) {
                case 0: -Int64.random(in: 0...(20 * Self.minute), using: &generator)
                case 1: Int64.random(in: 0...30_000, using: &generator)
                default: -Int64.random(in: 0...20_000, using: &generator)
                }
                let status: CheckStatus = [.up, .up, .degraded, .down].randomElement(using: &generator)!
                beats.append(Self.heartbeat(
                    UInt32.random(in: 1...4, using: &generator), now + offset, status, latencyUs: UInt32.random(in: 100...900_000, using: &generator)
                ))
            }
            if let copy = beats.first, Bool.random(using: &generator) { beats.append(copy) }
            let batch = Batch(sessionID: session, seq: seq, agentVersion: "test", dropped: 0, checks: checks, heartbeats: beats)
            let input = IngestBatch(
                agentID: agent.id, batch: batch, rawBody: BatchCodec.encodeForShipping(batch), contentType: "application/x-protobuf",
                contentEncoding: "deflate", receivedMs: now, oldestAcceptedMs: 0, newestAcceptedMs: now + Self.minute
            )
            let outcome = try await behind.ingest(input)
            #expect(outcome == (try await immediate.ingest(input)))
            if Int.random(in: 0..<6, using: &generator) == 0 { _ = try await behind.compactRollups(nowMs: now) }
            if Int.random(in: 0..<5, using: &generator) == 0 {
                try await Self.compare(behind, immediate, now: now, using: &generator)
            }
        }
        try await Self.compare(behind, immediate, now: now, using: &generator)

        // The first store is never closed and never writes what it holds: its memory is gone, as in a crash.
        let reopened = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: settings)
        try await Self.compare(reopened, immediate, now: now, using: &generator)
        let journal = try await reopened.reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deferred_batches") ?? -1 }
        #expect(journal == 0)
        #expect(reopened.writeBehind.snapshot.latest.isEmpty)
    }

    /// Checks' newest heartbeats and counts over random ranges, from both stores.
    static func compare(_ store: SQLiteStore, _ oracle: SQLiteStore, now: Int64, using generator: inout SeededGenerator) async throws {
        #expect(try await store.allChecks() == (try await oracle.allChecks()))
        let folded = try await oracle.rollupsFoldedBeforeMs()
        #expect(try await store.rollupsFoldedBeforeMs() == folded)
        var ranges: [TimeRange] = [TimeRange(startMs: now - 86_400_000, endMs: now + Self.minute)]
        if folded < Int64.max / 2 {
            ranges.append(TimeRange(startMs: RollupAccumulator.floor(folded, to: 3_600_000), endMs: RollupAccumulator.floor(folded, to: 3_600_000) + 3_600_000))
        }
        for _ in 0..<5 {
            let from = now - Int64.random(in: 0...(40 * Self.minute), using: &generator)
            let whole = Bool.random(using: &generator)
            let start = whole ? RollupAccumulator.floor(from, to: Self.minute) : from
            ranges.append(TimeRange(startMs: start, endMs: start + (whole ? Int64.random(in: 1...30, using: &generator) * Self.minute : Int64.random(in: 1...900_000, using: &generator))))
        }
        for range in ranges {
            let over = Dictionary(uniqueKeysWithValues: Self.services.map { ($0, [range]) })
            for latency in [true, false] {
                let got = try await store.probeCounts(over: over, latency: latency)
                let want = try await oracle.probeCounts(over: over, latency: latency)
                #expect(got == want, "range \(range), latency \(latency)")
            }
        }
    }
}
