import Foundation
import GRDB
import Synchronization
import Testing
import VigilCore
import VigilTestSupport
import VigilWire

@testable import VigilCollector

/// Newest heartbeats, growing tips and minute rollups written behind the batches (SQLite, issue 20): the held state
/// alone, and a store that holds them against one that writes everything in each batch's transaction,
/// read while batches arrive and after a reopen that finds the held rows unwritten (a crash).
@Suite("Write-behind")
struct WriteBehindTests {
    static let minute: Int64 = 60_000
    static let services = ["api", "db", "web"]

    static func heartbeat(_ check: UInt32, _ timestampMs: Int64, _ status: CheckStatus = .up, latencyUs: UInt32 = 1_000) -> Heartbeat {
        Heartbeat(check: check, timestampMs: timestampMs, status: status, latencyUs: latencyUs, code: 200, message: "m\(timestampMs)")
    }

    @Test("held checks: the newer heartbeat wins, they fall due in the order first held, written ones are forgotten")
    func heldState() {
        var state = WriteBehind.State()
        state.hold(latest: Self.heartbeat(1, 100), check: 1, ordinal: 0, nowMs: 1_000)
        state.hold(latest: Self.heartbeat(1, 90), check: 1, ordinal: 1, nowMs: 2_000)
        state.hold(latest: Self.heartbeat(2, 50), check: 2, ordinal: 1, nowMs: 2_000)
        state.hold(latest: Self.heartbeat(2, 50, .down), check: 2, ordinal: 1, nowMs: 2_000)
        state.nextOrdinal = 2
        state.holdTip(check: 2, ordinal: 1, nowMs: 2_500)
        // An older heartbeat does not replace a newer one; a tie goes to the later batch.
        #expect(state.checks[1]?.heartbeat?.timestampMs == 100)
        #expect(state.checks[1]?.sinceOrdinal == 0)
        #expect(state.checks[2]?.heartbeat?.status == .down)
        #expect(state.checks[2]?.tipHeld == true && state.checks[2]?.sinceMs == 2_000)
        #expect(state.due(beforeMs: 1_500, beforeOrdinal: Int64.min, limit: 10) == [1])
        #expect(state.due(beforeMs: 3_000, beforeOrdinal: Int64.min, limit: 10) == [1, 2])
        #expect(state.due(beforeMs: 0, beforeOrdinal: 1, limit: 10) == [1])
        #expect(state.due(beforeMs: 3_000, beforeOrdinal: Int64.min, limit: 1) == [1])
        #expect(state.checksFrom == 0)
        #expect(state.checksFrom(excluding: [1]) == 1)
        state.wrote([1])
        #expect(state.checksFrom == 1)
        state.wroteTip(2)
        #expect(state.checks[2]?.tipHeld == false && state.checks[2]?.heartbeat != nil)
        // Held again after it was written: it is due after check 2 now.
        state.hold(latest: Self.heartbeat(1, 120), check: 1, ordinal: 2, nowMs: 3_000)
        state.nextOrdinal = 3
        #expect(state.due(beforeMs: 10_000, beforeOrdinal: Int64.min, limit: 10) == [2, 1])
        state.wrote([2, 1])
        #expect(state.checks.isEmpty)
        #expect(state.checksFrom == 3)
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
            checksAfterMs: Int64.random(in: 0...(10 * Self.minute), using: &generator),
            maxJournalBatches: Int64.random(in: 12...60, using: &generator),
            checksPerCommit: Int.random(in: 1...4, using: &generator)
        )
        let (behind, immediate, agent) = try await Self.stores(directory, settings)
        func definitions(moved: Bool) -> [CheckDefinition] { Self.definitions(4, movingFourth: moved) }
        var now: Int64 = 40 * 86_400_000 - 3 * Self.minute
        var session = "s1"
        var seq: UInt64 = 0
        let batches = Int.random(in: 40...90, using: &generator)
        // Each check keeps its status for a while, so that most batches only make tips longer (held).
        var statuses = [CheckStatus](repeating: .up, count: 5)
        var heldTips = 0
        for index in 0..<batches {
            now += Int.random(in: 0..<12, using: &generator) == 0
                ? Int64.random(in: 20_000...90_000, using: &generator) : Int64.random(in: 2_000...12_000, using: &generator)
            var checks: [CheckDefinition] = []
            if index == 0 {
                checks = definitions(moved: false)
            } else if index < batches - 10 && Int.random(in: 0..<20, using: &generator) == 0 {
                session = "s\(index)"
                seq = 0
                checks = definitions(moved: Bool.random(using: &generator))
            }
            seq += 1
            var beats: [Heartbeat] = []
            for check in 1...4 {
                if Int.random(in: 0..<8, using: &generator) == 0 { statuses[check] = [.up, .degraded, .down].randomElement(using: &generator)! }
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    let offset: Int64 = switch Int.random(in: 0..<10, using: &generator) {
                    case 0: -Int64.random(in: 0...(20 * Self.minute), using: &generator)
                    case 1: Int64.random(in: 0...30_000, using: &generator)
                    default: -Int64.random(in: 0...3_000, using: &generator)
                    }
                    beats.append(Self.heartbeat(
                        UInt32(check), now + offset, statuses[check], latencyUs: UInt32.random(in: 100...900_000, using: &generator)
                    ))
                }
            }
            if beats.isEmpty { beats.append(Self.heartbeat(1, now, statuses[1])) }
            beats.shuffle(using: &generator)
            if let copy = beats.first, Bool.random(using: &generator) { beats.append(copy) }
            let batch = Batch(sessionID: session, seq: seq, agentVersion: "test", dropped: 0, checks: checks, heartbeats: beats)
            let input = Self.input(batch, agentID: agent.id, receivedMs: now)
            let outcome = try await behind.ingest(input)
            #expect(outcome == (try await immediate.ingest(input)))
            if Int.random(in: 0..<6, using: &generator) == 0 { _ = try await behind.compactRollups(nowMs: now) }
            heldTips = max(heldTips, behind.writeBehind.snapshot.checks.values.filter { $0.tipHeld }.count)
            if Int.random(in: 0..<5, using: &generator) == 0 {
                try await Self.compare(behind, immediate, now: now, using: &generator)
            }
        }
        try await Self.compare(behind, immediate, now: now, using: &generator)

        #expect(heldTips > 0, "tips were held")
        let heldAtCrash = behind.writeBehind.snapshot.checks.count
        // The first store is never closed and never writes what it holds: its memory is gone, as in a crash.
        let reopened = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: settings)
        try await Self.compare(reopened, immediate, now: now, using: &generator)
        let journal = try await reopened.reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deferred_batches") ?? -1 }
        #expect(journal == 0)
        #expect(reopened.writeBehind.snapshot.checks.isEmpty)
        #expect(heldAtCrash > 0, "the crash lost held rows")
    }

    /// What a clean stop of the collector does (``SQLiteStore/writeHeld(nowMs:)``): after it nothing is
    /// held, the journal is empty, and the rows read alone equal those of a store that wrote everything
    /// with each batch.
    @Test("a clean stop writes everything held: nothing is left to replay and the rows equal a store that wrote them at once")
    func cleanStop() async throws {
        let directory = try TemporaryDirectory("vigil-behind-stop")
        defer { directory.remove() }
        let (behind, immediate, agent) = try await Self.stores(directory, WriteBehind.Settings())
        let checks = Self.definitions(4)
        var now: Int64 = 40 * 86_400_000
        for seq in 1...12 {
            now += 10_000
            let beats = (1...4).map { Self.heartbeat(UInt32($0), now, $0 == 3 ? .down : .up) }
            let batch = Batch(sessionID: "s", seq: UInt64(seq), agentVersion: "test", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats)
            let input = Self.input(batch, agentID: agent.id, receivedMs: now)
            #expect(try await behind.ingest(input) == (try await immediate.ingest(input)))
        }
        // Within five minutes nothing of the eleven batches after the first is written yet.
        #expect(behind.writeBehind.snapshot.checks.count == 4)
        #expect(behind.writeBehind.snapshot.checks.values.allSatisfy { $0.tipHeld })
        #expect(try await behind.writeHeld(nowMs: now) == 4)
        #expect(behind.writeBehind.snapshot.checks.isEmpty)
        let journal = try await behind.reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deferred_batches") ?? -1 }
        #expect(journal == 0)
        var generator = SeededGenerator(seed: 0x5709)
        try await Self.compare(behind, immediate, now: now, using: &generator)
        let reopened = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: WriteBehind.Settings())
        try await Self.compare(reopened, immediate, now: now, using: &generator)
    }

    /// A commit is in the file before its growing tips are in memory: the tracker, reading the feed in
    /// that moment and the intervals next, would derive without the heartbeats of the change it clears.
    @Test("the outage feed is returned only once the commits its read can have seen are in memory")
    func feedWaitsForMemory() async throws {
        let directory = try TemporaryDirectory("vigil-behind-feed")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/feed.sqlite", writeBehind: WriteBehind.Settings())
        try await store.markOutagesChanged(services: ["web"], fromMs: 1_000, nowMs: 2_000)
        // As the writer does for an ingest transaction: begun (and here committed), memory not yet updated.
        store.publication.begin()
        let inMemory = Atomic<Bool>(false)
        async let read: Bool = {
            _ = try await store.outageChanges()
            return inMemory.load(ordering: .sequentiallyConsistent)
        }()
        try await Task.sleep(for: .milliseconds(30))
        inMemory.store(true, ordering: .sequentiallyConsistent)
        store.publication.end()
        #expect(try await read, "returned before the commit's memory was updated")
        // With nothing in flight it returns at once; a transaction begun after the read is not waited for.
        #expect(try await store.outageChanges().map(\.fromMs) == [1_000])
    }

    /// Batches of eight checks within one minute and far within `checksAfterMs`: only the journal's limit
    /// makes anything due. Once past it, each commit writes the checks held longest, at most
    /// `checksPerCommit`, and the rollups, so the journal stays within a few batches of its limit; nothing writes all that
    /// is held at once (which held every batch behind it at high rates), and the figures stay those of
    /// a store that writes everything at once.
    @Test("a journal past its limit is shortened a few checks a commit, not by writing everything held")
    func journalLimit() async throws {
        let directory = try TemporaryDirectory("vigil-behind-journal")
        defer { directory.remove() }
        let settings = WriteBehind.Settings(checksAfterMs: 3_600_000, maxJournalBatches: 10, checksPerCommit: 3)
        let (behind, immediate, agent) = try await Self.stores(directory, settings)
        let checks = Self.definitions(8)
        let start: Int64 = 40 * 86_400_000
        var journalLengths: [Int] = []
        for seq in 1...40 {
            let now = start + Int64(seq) * 1_000
            let beats = (1...8).map { Self.heartbeat(UInt32($0), now, $0 == 3 ? .down : .up) }
            let batch = Batch(sessionID: "s", seq: UInt64(seq), agentVersion: "test", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats)
            let input = Self.input(batch, agentID: agent.id, receivedMs: now)
            let heldBefore = behind.writeBehind.snapshot.checks.count
            #expect(try await behind.ingest(input) == (try await immediate.ingest(input)))
            let held = behind.writeBehind.snapshot
            if seq > 1 {
                // Eight held again by the batch, at most three of them written by its commit.
                #expect(held.checks.count >= 8 - settings.checksPerCommit, "batch \(seq): \(heldBefore) held before, \(held.checks.count) after")
            }
            #expect(held.nextOrdinal - held.rollupsFrom <= settings.maxJournalBatches + 1, "batch \(seq): rollups held too long")
            journalLengths.append(try await behind.reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deferred_batches") ?? -1 })
        }
        #expect(journalLengths.max()! <= Int(settings.maxJournalBatches) + 4, "journal lengths \(journalLengths)")
        #expect(journalLengths.max()! > Int(settings.maxJournalBatches), "the journal never reached its limit: \(journalLengths)")
        var generator = SeededGenerator(seed: 0x10A7)
        try await Self.compare(behind, immediate, now: start + 40_000, using: &generator)
        let reopened = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: settings)
        try await Self.compare(reopened, immediate, now: start + 40_000, using: &generator)
    }

    /// A store that writes behind with `settings` and one that writes everything at once, in
    /// `directory`, each with agent "a" (the same id in both).
    static func stores(_ directory: TemporaryDirectory, _ settings: WriteBehind.Settings) async throws -> (SQLiteStore, SQLiteStore, AgentRecord) {
        let behind = try SQLiteStore(path: directory.path + "/behind.sqlite", writeBehind: settings)
        let immediate = try SQLiteStore(path: directory.path + "/immediate.sqlite", writeBehind: .immediate)
        let agent = try await behind.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        _ = try await immediate.registerAgent(name: "a", tokenHash: "h", nowMs: 0)
        return (behind, immediate, agent)
    }

    /// Checks c1...c`count`, spread over ``services``; with `movingFourth`, c4 in "api" instead.
    static func definitions(_ count: Int, movingFourth: Bool = false) -> [CheckDefinition] {
        (1...count).map { index in
            let service = movingFourth && index == 4 ? "api" : services[(index - 1) % services.count]
            return CheckDefinition(id: UInt32(index), name: "c\(index)", service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        }
    }

    /// `batch` as the batch route hands it to the store, received at `receivedMs`.
    static func input(_ batch: Batch, agentID: Int64, receivedMs: Int64) -> IngestBatch {
        IngestBatch(
            agentID: agentID, batch: batch, rawBody: BatchCodec.encodeForShipping(batch), contentType: "application/x-protobuf",
            contentEncoding: "deflate", receivedMs: receivedMs, oldestAcceptedMs: 0, newestAcceptedMs: receivedMs + minute
        )
    }

    /// Checks' newest heartbeats, their intervals (whole, and over a random range one check at a time
    /// and all at once) and counts over random ranges, from both stores.
    static func compare(_ store: SQLiteStore, _ oracle: SQLiteStore, now: Int64, using generator: inout SeededGenerator) async throws {
        let checks = try await oracle.allChecks()
        #expect(try await store.allChecks() == checks)
        let from = now - Int64.random(in: 0...(30 * Self.minute), using: &generator)
        let part = TimeRange(startMs: from, endMs: from + Int64.random(in: 1...(20 * Self.minute), using: &generator))
        let ids = checks.map(\.id)
        let parts = try await store.intervals(checkIDs: ids, overlapping: part)
        let wantedParts = try await oracle.intervals(checkIDs: ids, overlapping: part)
        #expect(parts == wantedParts)
        for id in ids {
            let all = TimeRange(startMs: Int64.min / 2, endMs: Int64.max / 2)
            let whole = try await store.intervals(checkID: id, overlapping: all)
            let wantedWhole = try await oracle.intervals(checkID: id, overlapping: all)
            #expect(whole == wantedWhole, "check \(id)")
            let piece = try await store.intervals(checkID: id, overlapping: part)
            let wantedPiece = try await oracle.intervals(checkID: id, overlapping: part)
            #expect(piece == wantedPiece, "check \(id), \(part)")
        }
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
