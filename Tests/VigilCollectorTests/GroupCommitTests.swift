import Foundation
import GRDB
import Synchronization
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Group commit and the tips ingest keeps in memory (issue 20): the decisions alone, the committer
/// under concurrent requests, and the SQLite store against one-batch-at-a-time ingest and against
/// ingest that reads every tip back.
@Suite("Group commit and in-memory tips")
struct GroupCommitTests {
    // MARK: The state machine alone

    @Test("the first request commits alone; those arriving meanwhile are the next group, at most maxGroup")
    func decisions() {
        var machine = GroupCommitStateMachine<Int>(maxGroup: 2)
        guard case .commit([1]) = machine.submit(1) else { Issue.record("an idle committer commits at once"); return }
        for request in 2...4 {
            guard case .wait = machine.submit(request) else { Issue.record("a request waits while a commit runs"); return }
        }
        #expect(machine.waiting == 3)
        guard case .commit([2, 3]) = machine.committed() else { Issue.record("the next group is the oldest two"); return }
        guard case .wait = machine.submit(5) else { Issue.record("still committing"); return }
        guard case .commit([4, 5]) = machine.committed() else { Issue.record("then the rest, in order"); return }
        guard case .none = machine.committed() else { Issue.record("nothing waits"); return }
        guard case .idle = machine.state else { Issue.record("idle again"); return }
        guard case .commit([6]) = machine.submit(6) else { Issue.record("idle commits at once again"); return }
    }

    // MARK: The committer

    struct Refused: Error, Equatable { var input: Int }

    @Test("concurrent requests share transactions, each gets its own result, a failure stays its own")
    func committer() async throws {
        let committer = GroupCommitter<Int, Int>(maxGroup: 5)
        let groups = Mutex<[[Int]]>([])
        // The writer: a serial queue, as SQLite's is; each transaction takes 20 ms.
        let writer = DispatchQueue(label: "test.writer")
        let commit: @Sendable ([Int]) -> [Result<Int, any Error>] = { inputs in
            groups.withLock { $0.append(inputs) }
            Thread.sleep(forTimeInterval: 0.02)
            return inputs.map { $0 % 7 == 0 ? .failure(Refused(input: $0)) : .success($0 * 10) }
        }
        let results = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for input in 1...40 {
                group.addTask {
                    do {
                        return (input, .success(try await committer.submit(input) { drain in writer.async { drain(commit) } }))
                    } catch let error as Refused {
                        return (input, .failure(error))
                    } catch {
                        return (input, .failure(Refused(input: -1)))
                    }
                }
            }
            return await group.reduce(into: [Int: Result<Int, Refused>]()) { $0[$1.0] = $1.1 }
        }
        for input in 1...40 {
            #expect(results[input] == (input % 7 == 0 ? .failure(Refused(input: input)) : .success(input * 10)))
        }
        let seen = groups.withLock { $0 }
        #expect(seen.flatMap { $0 }.sorted() == Array(1...40), "every request committed exactly once")
        #expect(seen.allSatisfy { $0.count <= 5 })
        #expect(seen.count < 40, "requests that arrived during a commit were grouped")
        #expect(committer.committed == .init(transactions: seen.count, requests: 40))
    }

    // MARK: The SQLite store

    static func definitions(_ count: Int) -> [CheckDefinition] {
        (1...count).map {
            CheckDefinition(id: UInt32($0), name: "c\($0)", service: "svc-\($0 % 3)", kind: "http", target: "http://x/\($0)", intervalMs: 10_000, timeoutMs: 5_000)
        }
    }

    static func input(agent: Int64, seq: UInt64, checks: [CheckDefinition], beats: [Heartbeat]) -> IngestBatch {
        IngestBatch(
            agentID: agent, batch: Batch(sessionID: "s", seq: seq, agentVersion: "t", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats),
            rawBody: [UInt8](repeating: UInt8(seq & 0xFF), count: 8), contentType: "application/x-protobuf", contentEncoding: "deflate",
            receivedMs: 10_000_000_000, oldestAcceptedMs: 0, newestAcceptedMs: 20_000_000_000
        )
    }

    /// A random history of `checks` 10 s checks from `start`: runs of a few statuses, some heartbeats
    /// missing, cut into batches of up to 15 heartbeats in time order.
    static func batches(_ generator: inout SeededGenerator, checks: Int, steps: Int, start: Int64) -> [[Heartbeat]] {
        var beats: [Heartbeat] = []
        var statuses = [CheckStatus](repeating: .up, count: checks)
        for step in 0..<steps {
            for check in 0..<checks {
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    statuses[check] = [CheckStatus.up, .down, .degraded].randomElement(using: &generator)!
                }
                // Now and then a heartbeat is missing (a gap), now and then it is late by a few seconds.
                if Int.random(in: 0..<12, using: &generator) == 0 { continue }
                let jitter = Int64.random(in: 0..<3_000, using: &generator)
                beats.append(Heartbeat(
                    check: UInt32(check + 1), timestampMs: start + Int64(step) * 10_000 + jitter, status: statuses[check],
                    latencyUs: UInt32.random(in: 100...90_000, using: &generator), code: 200, message: statuses[check] == .up ? "" : "HTTP 503 at \(step)"
                ))
            }
        }
        return beats.randomPieces(sizes: 1...15, using: &generator)
    }

    /// `inputs` committed as one group, on the store's writer.
    static func commit(_ store: SQLiteStore, _ inputs: [IngestBatch]) async throws -> [Result<IngestOutcome, any Error>] {
        try await commitPlanned(store, inputs.map { PlannedBatch($0) })
    }

    /// Every interval, rollup row and agent counter the store holds, as text to compare.
    static func contents(_ store: SQLiteStore) async throws -> [String] {
        // Stores that committed in other groups folded their minutes into hours at other times, and
        // held other rows (``WriteBehind``): both write what they hold and are folded through their
        // newest minute first, so their rows compare as sums.
        try await store.writingFlushed { db in try SQLiteStore.foldAllRollups(db, nowMs: Int64.min) }
        return try await store.reading { db in
            var rows: [String] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT agents.name, checks.name, s.start_ms, s.end_ms, s.last_beat_ms, s.status, s.beats, s.message
                FROM state_intervals s JOIN checks ON checks.id = s.check_id JOIN agents ON agents.id = checks.agent_id
                ORDER BY agents.name, checks.name, s.start_ms
                """) { rows.append("interval \(row.databaseValues.map(\.description).joined(separator: " "))") }
            for row in try Row.fetchAll(db, sql: "SELECT service, resolution_ms, start_ms, up, degraded, down, hex(latency) FROM rollups ORDER BY 1, 2, 3") {
                rows.append("rollup \(row.databaseValues.map(\.description).joined(separator: " "))")
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, batches, heartbeats, last_heartbeat_ms FROM agents ORDER BY name") {
                rows.append("agent \(row.databaseValues.map(\.description).joined(separator: " "))")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT agents.name, checks.name, last_ts_ms, last_status, last_latency_us FROM checks JOIN agents ON agents.id = checks.agent_id ORDER BY 1, 2
                """) { rows.append("check \(row.databaseValues.map(\.description).joined(separator: " "))") }
            return rows
        }
    }

    static func withStores(_ body: (SQLiteStore, SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("vigil-group")
        defer { directory.remove() }
        try await body(try SQLiteStore(path: directory.path + "/a.sqlite"), try SQLiteStore(path: directory.path + "/b.sqlite"))
    }

    @Test("agents ingesting at once, committed in groups, store exactly what one batch at a time stores", arguments: 0..<3)
    func groupedEqualsSequential(seed: UInt64) async throws {
        try await Self.withStores { grouped, sequential in
            var generator = SeededGenerator(seed: 20_000 + seed)
            let checks = Self.definitions(6)
            var plans: [[IngestBatch]] = []
            for agent in 1...8 {
                #expect(try await grouped.registerAgent(name: "a\(agent)", tokenHash: "g\(agent)", nowMs: 0).id == Int64(agent))
                #expect(try await sequential.registerAgent(name: "a\(agent)", tokenHash: "s\(agent)", nowMs: 0).id == Int64(agent))
                let batches = Self.batches(&generator, checks: checks.count, steps: 60, start: 9_000_000_000 + Int64(agent) * 1_000)
                plans.append(batches.enumerated().map { Self.input(agent: Int64(agent), seq: UInt64($0 + 1), checks: checks, beats: $1) })
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for plan in plans {
                    group.addTask { for input in plan { _ = try await grouped.ingest(input) } }
                }
                try await group.waitForAll()
            }
            for plan in plans {
                for input in plan { _ = try await Self.commit(sequential, [input])[0].get() }
            }
            let counts = grouped.committer.committed
            #expect(counts.requests == plans.map(\.count).reduce(0, +))
            #expect(counts.transactions < counts.requests, "eight agents at once share transactions")
            #expect(try await Self.contents(grouped) == Self.contents(sequential))
        }
    }

    @Test("folding from the tips in memory stores what reading every tip back stores, late batches included", arguments: 0..<6)
    func tipsMatchStore(seed: UInt64) async throws {
        try await Self.withStores { cached, reread in
            var generator = SeededGenerator(seed: 30_000 + seed)
            let checks = Self.definitions(4)
            _ = try await cached.registerAgent(name: "a", tokenHash: "a", nowMs: 0)
            _ = try await reread.registerAgent(name: "a", tokenHash: "b", nowMs: 0)
            var inputs = Self.batches(&generator, checks: checks.count, steps: 80, start: 9_000_000_000).enumerated().map {
                Self.input(agent: 1, seq: UInt64($0 + 1), checks: checks, beats: $1)
            }
            // Definitions first; then about one batch in four swaps with a later one (delivered late).
            for index in 1..<inputs.count - 1 where Int.random(in: 0..<4, using: &generator) == 0 {
                let other = Int.random(in: index + 1..<min(inputs.count, index + 6), using: &generator)
                inputs.swapAt(index, other)
            }
            for input in inputs {
                _ = try await cached.ingest(input)
                reread.tips.removeAll()
                _ = try await reread.ingest(input)
            }
            #expect(try await Self.contents(cached) == Self.contents(reread))
            // The naive oracle: every heartbeat, in the order delivered, folded into the check's whole
            // history (no window, no store).
            var oracle: [UInt32: [StateInterval]] = [:]
            for input in inputs {
                var perCheck: [UInt32: [Heartbeat]] = [:]
                for beat in input.batch.heartbeats { perCheck[beat.check, default: []].append(beat) }
                for (check, beats) in perCheck {
                    for beat in beats.sorted(by: { $0.timestampMs < $1.timestampMs }) {
                        IntervalTimeline.apply(
                            timestampMs: beat.timestampMs, status: beat.status, message: beat.message, to: &oracle[check, default: []],
                            staleAfterMs: checks[0].staleAfterMs, intervalMs: Int64(checks[0].intervalMs)
                        )
                    }
                }
            }
            for check in try await cached.allChecks() {
                let stored = try await cached.intervals(checkID: check.id, overlapping: TimeRange(startMs: 0, endMs: Int64.max))
                #expect(stored == oracle[check.definition.id], "check \(check.definition.name)")
            }
            // What the cache holds is each check's newest stored interval.
            for check in try await cached.allChecks() {
                let stored = try await cached.intervals(checkID: check.id, overlapping: TimeRange(startMs: 0, endMs: Int64.max)).last
                #expect(cached.tips.tip(check.id) == stored)
            }
        }
    }

    @Test("in one transaction, a batch refused whole leaves the others stored; a repeat in the group is a duplicate")
    func isolation() async throws {
        try await Self.withStores { store, _ in
            _ = try await store.registerAgent(name: "a", tokenHash: "a", nowMs: 0)
            _ = try await store.registerAgent(name: "b", tokenHash: "b", nowMs: 0)
            let checks = Self.definitions(2)
            let up = { (check: UInt32, at: Int64) in Heartbeat(check: check, timestampMs: at, status: .up, latencyUs: 1_000) }
            let first = Self.input(agent: 1, seq: 1, checks: checks, beats: [up(1, 9_000_000_000), up(2, 9_000_000_000)])
            var overLimit = Self.input(agent: 2, seq: 1, checks: checks, beats: [up(1, 9_000_000_000)])
            var limits = DefinitionLimits()
            limits.checksPerAgent = 1
            overLimit.limits = limits
            let second = Self.input(agent: 1, seq: 2, checks: checks, beats: [up(1, 9_000_010_000)])
            let results = try await Self.commit(store, [first, overLimit, second, first])
            #expect(try results[0].get().accepted == 2)
            #expect(throws: StoreError.self) { try results[1].get() }
            #expect(try results[2].get().accepted == 1)
            #expect(try results[3].get().duplicate)
            let agents = try await store.agents()
            #expect(agents.map(\.heartbeats) == [3, 0])
            #expect(try await store.allChecks().map(\.agentName) == ["a", "a"], "the refused batch's definitions were rolled back")
            #expect(try await store.rawBatchCount(agentID: 2) == 0)
            let counts = try await store.probeCounts(service: "svc-1", over: [TimeRange(startMs: 0, endMs: 86_400_000 * 200)])
            #expect(counts.up == 2, "the refused batch's rollups were not written")
        }
    }
    @Test("a plan worked out before the session's checks were redefined is worked out again on the writer")
    func stalePlans() async throws {
        try await Self.withStores { store, _ in
            let agent = try await store.registerAgent(name: "a", tokenHash: "a", nowMs: 0).id
            let start: Int64 = 9_000_000_000
            func definition(_ name: String, _ service: String) -> CheckDefinition {
                CheckDefinition(id: 1, name: name, service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
            }
            func batch(_ seq: UInt64, _ step: Int64, defining: CheckDefinition? = nil) -> IngestBatch {
                var input = Self.input(agent: agent, seq: seq, checks: [], beats: [
                    Heartbeat(check: 1, timestampMs: start + step * 10_000, status: .up, latencyUs: 1_000),
                ])
                input.batch.checks = defining.map { [$0] } ?? []
                return input
            }
            func ups(_ service: String) async throws -> Int64 {
                try await store.probeCounts(service: service, over: [TimeRange(startMs: 0, endMs: 86_400_000 * 200)]).up
            }
            _ = try await store.ingest(batch(1, 0, defining: definition("web", "svc-a")))

            // Planned while local check 1 is "web", committed after it became "api" in another transaction.
            let planned = await store.plan(batch(2, 1))
            #expect(planned.plan != nil, "a batch without definitions is planned off the writer")
            _ = try await store.ingest(batch(3, 2, defining: definition("api", "svc-b")))
            #expect(try await Self.commitPlanned(store, [planned]).map { try $0.get().accepted } == [1])
            #expect(try await ups("svc-a") == 1)
            #expect(try await ups("svc-b") == 2, "the heartbeat went to the check the session maps now")

            // Planned from the cache, committed after a batch of its own transaction redefined the check.
            let cached = await store.plan(batch(4, 3))
            #expect(cached.plan != nil)
            let results = try await Self.commitPlanned(store, [PlannedBatch(batch(5, 4, defining: definition("web", "svc-a"))), cached])
            #expect(try results.map { try $0.get().accepted } == [1, 1])
            #expect(try await ups("svc-a") == 3)
            #expect(try await ups("svc-b") == 2)

            // And a plan still current goes through as worked out.
            #expect(try await store.ingest(batch(6, 5)).accepted == 1)
            #expect(try await ups("svc-a") == 4)
        }
    }

    /// `inputs`, planned or not, committed as one group on the store's writer.
    static func commitPlanned(_ store: SQLiteStore, _ inputs: [PlannedBatch]) async throws -> [Result<IngestOutcome, any Error>] {
        try await store.pool.writeWithoutTransaction { db in store.commit(db, inputs) }
    }
}
