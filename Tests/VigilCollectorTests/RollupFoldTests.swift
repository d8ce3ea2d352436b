import Foundation
import GRDB
import Testing
import VigilCore
import VigilTestSupport

@testable import VigilCollector

/// Hour and day rollups summed from minute rows once a minute (SQLite, issue 20): whatever the moment a
/// fold happens, late and early heartbeats, imports and pruning, the counts over any whole minutes equal
/// a naive count of the heartbeats stored.
@Suite("Rollup folding")
struct RollupFoldTests {
    static let services = ["api", "db", "web"]
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Random batches received over four hours across a day boundary, each with heartbeats from two
    /// hours late to four minutes early; after some of them, random whole-minute ranges (some a whole
    /// day or hour, some crossing the instant folded to) are counted and compared with the heartbeats.
    @Test("counts over whole minutes equal a naive count, whenever minutes are folded", arguments: 0..<12)
    func naiveOracle(seed: UInt64) async throws {
        var generator = SeededGenerator(seed: 0xF01D + seed)
        let directory = try TemporaryDirectory("vigil-fold")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/vigil.sqlite")
        let agent = try await store.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        let checks = Self.services.enumerated().map { index, service in
            CheckDefinition(id: UInt32(index + 1), name: service, service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        }
        let start = 20 * Self.day - 2 * Self.hour - 17 * Self.minute
        var stored: [(String, Heartbeat)] = []
        var now = start
        var folds: Set<Int64> = []
        for seq in 1...Int.random(in: 40...70, using: &generator) {
            now += Int64.random(in: 0...(12 * Self.minute), using: &generator)
            var beats: [Heartbeat] = []
            for _ in 0..<Int.random(in: 1...25, using: &generator) {
                let check = UInt32.random(in: 1...3, using: &generator)
                let offset: Int64 = switch Int.random(in: 0..<10, using: &generator) {
                case 0: -Int64.random(in: 0...(2 * Self.hour), using: &generator)
                case 1: Int64.random(in: 0...(4 * Self.minute), using: &generator)
                default: -Int64.random(in: 0...30_000, using: &generator)
                }
                let status: CheckStatus = [.up, .up, .degraded, .down].randomElement(using: &generator)!
                beats.append(Heartbeat(
                    check: check, timestampMs: now + offset, status: status, latencyUs: UInt32.random(in: 100...900_000, using: &generator),
                    code: 200, message: ""
                ))
            }
            let batch = Batch(sessionID: "s", seq: UInt64(seq), agentVersion: "test", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats)
            let input = IngestBatch(
                agentID: agent.id, batch: batch, rawBody: [1], contentType: "application/x-protobuf", contentEncoding: "deflate",
                receivedMs: now, oldestAcceptedMs: 0, newestAcceptedMs: now + 5 * Self.minute
            )
            let outcome = try await store.ingest(input)
            #expect(outcome.accepted == beats.count)
            stored += beats.map { (Self.services[Int($0.check) - 1], $0) }
            folds.insert(try await store.rollupsFoldedBeforeMs())
            if Int.random(in: 0..<4, using: &generator) == 0 {
                try await Self.compare(store, stored, now: now, using: &generator)
            }
        }
        // The instant moved with the batches (it was not left at the start or jumped to the end).
        #expect(folds.count > 5, "folded to \(folds.sorted())")
        try await Self.compare(store, stored, now: now, using: &generator)
    }

    /// Counts over random whole-minute ranges, from the store and from the heartbeats.
    static func compare(_ store: SQLiteStore, _ stored: [(String, Heartbeat)], now: Int64, using generator: inout SeededGenerator) async throws {
        let folded = try await store.rollupsFoldedBeforeMs()
        var ranges: [TimeRange] = [
            TimeRange(startMs: 19 * day, endMs: 21 * day),
            TimeRange(startMs: RollupAccumulator.floor(folded, to: hour), endMs: RollupAccumulator.floor(folded, to: hour) + hour),
            TimeRange(startMs: folded - 3 * minute, endMs: folded + 2 * minute),
        ]
        for _ in 0..<6 {
            let from = RollupAccumulator.floor(now - Int64.random(in: 0...(6 * hour), using: &generator), to: minute)
            ranges.append(TimeRange(startMs: from, endMs: from + Int64.random(in: 1...300, using: &generator) * minute))
        }
        for range in ranges {
            let counts = try await store.probeCounts(over: Dictionary(uniqueKeysWithValues: services.map { ($0, [range]) }))
            for service in services {
                var naive = ProbeCounts()
                for (name, beat) in stored where name == service && beat.timestampMs >= range.startMs && beat.timestampMs < range.endMs {
                    naive.record(beat.status, latencyUs: beat.latencyUs)
                }
                #expect(counts[service] == naive, "\(service) over \(range.startMs)..<\(range.endMs), folded before \(folded)")
            }
        }
    }

    @Test("only minute rows are written for minutes not yet folded; a fold moves them into hours and days once")
    func foldWritesOnce() async throws {
        let directory = try TemporaryDirectory("vigil-fold")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/vigil.sqlite")
        let agent = try await store.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        func send(_ seq: UInt64, at ts: Int64, received: Int64) async throws {
            let batch = Batch(
                sessionID: "s", seq: seq, agentVersion: "t", dropped: 0, checks: seq == 1 ? [check] : [],
                heartbeats: [Heartbeat(check: 1, timestampMs: ts, status: .up, latencyUs: 1_000, code: 200, message: "")]
            )
            _ = try await store.ingest(IngestBatch(
                agentID: agent.id, batch: batch, rawBody: [1], contentType: "application/x-protobuf", contentEncoding: "deflate",
                receivedMs: received, oldestAcceptedMs: 0, newestAcceptedMs: received + 5 * Self.minute
            ))
        }
        func rows() async throws -> [String] {
            try await store.reading { db in
                try Row.fetchAll(db, sql: "SELECT resolution_ms, start_ms, up FROM rollups ORDER BY 1, 2").map { "\($0[0] as Int64)@\($0[1] as Int64)=\($0[2] as Int64)" }
            }
        }
        let base = 10 * Self.hour
        // Received in the minute it was probed: a minute row only; the fold to that minute finds nothing before it.
        try await send(1, at: base + 5_000, received: base + 6_000)
        #expect(try await rows() == ["60000@\(base)=1"])
        #expect(try await store.rollupsFoldedBeforeMs() == base)
        // The next minute's batch folds the first minute into its hour and day.
        try await send(2, at: base + Self.minute + 1_000, received: base + Self.minute + 2_000)
        #expect(try await rows() == ["60000@\(base)=1", "60000@\(base + Self.minute)=1", "3600000@\(base)=1", "86400000@0=1"])
        // A late heartbeat for the folded minute is held (written behind, ``WriteBehind``) and read with the rows.
        try await send(3, at: base + 30_000, received: base + Self.minute + 3_000)
        #expect(try await rows() == ["60000@\(base)=1", "60000@\(base + Self.minute)=1", "3600000@\(base)=1", "86400000@0=1"])
        #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: base, endMs: base + Self.minute)]).up == 2)
        #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: base, endMs: base + Self.hour)]).up == 3)
        // Written, it goes to all three at once; the fold instant stays.
        _ = try await store.writingFlushed(nowMs: base + Self.minute + 3_000) { _ in () }
        #expect(try await rows() == ["60000@\(base)=2", "60000@\(base + Self.minute)=1", "3600000@\(base)=2", "86400000@0=2"])
        #expect(try await store.rollupsFoldedBeforeMs() == base + Self.minute)
        // Pruning folds what is left before it deletes minute rows: nothing is lost from hours and days.
        #expect(try await store.pruneMinuteRollups(before: base + 2 * Self.minute) == 2)
        #expect(try await rows() == ["3600000@\(base)=3", "86400000@0=3"])
        #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: Self.day)]).up == 3)
    }

    @Test("a store from before folding starts after its newest minute row: nothing stored is added twice")
    func migration() async throws {
        let directory = try TemporaryDirectory("vigil-fold")
        defer { directory.remove() }
        let queue = try DatabaseQueue(path: directory.path + "/vigil.sqlite")
        try SQLiteStore.migrator.migrate(queue, upTo: "v13")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency) VALUES
                    ('web', 60000, 600000, 2, 0, 0, x''), ('web', 3600000, 0, 2, 0, 0, x''), ('web', 86400000, 0, 2, 0, 0, x'')
                """)
        }
        try queue.close()
        let store = try SQLiteStore(path: directory.path + "/vigil.sqlite")
        #expect(try await store.rollupsFoldedBeforeMs() == 660_000)
        try await store.writing { db in try SQLiteStore.foldAllRollups(db, nowMs: Self.day) }
        #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: Self.day)]).up == 2)
        #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: Self.hour)]).up == 2)
    }
}
