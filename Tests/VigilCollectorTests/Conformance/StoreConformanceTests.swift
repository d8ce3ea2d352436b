import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// The store conformance suite (DESIGN §9): every test runs on SQLite and on PostgreSQL, through the
/// `Store` protocol only, so the two engines behave the same wherever the collector can tell.
@Suite("Store conformance: agents, ingest, intervals and rollups")
struct StoreConformanceTests {
    static let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)

    /// A batch of 10 s heartbeats of check 1 from `start`.
    static func batch(seq: UInt64, start: Int64, _ statuses: [CheckStatus], session: String = "s1", define: Bool = true) -> Batch {
        Batch(
            sessionID: session, seq: seq, agentVersion: "test", dropped: 2, checks: define ? [check] : [],
            heartbeats: statuses.enumerated().map { index, status in
                Heartbeat(
                    check: 1, timestampMs: start + Int64(index) * 10_000, status: status, latencyUs: 1_000 * UInt32(index + 1),
                    code: status == .up ? 200 : 503, message: status == .up ? "" : "HTTP 503"
                )
            }
        )
    }

    static func input(_ batch: Batch, agent: Int64, now: Int64 = 10_000_000) -> IngestBatch {
        IngestBatch(
            agentID: agent, batch: batch, rawBody: [1, 2, 3], contentType: "application/x-protobuf", contentEncoding: "deflate",
            receivedMs: now, oldestAcceptedMs: 0, newestAcceptedMs: now + 60_000
        )
    }

    @Test("agents and tokens", arguments: StoreEngine.available)
    func agents(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let b = try await store.registerAgent(name: "b", tokenHash: "hb", nowMs: 5)
            let a = try await store.registerAgent(name: "a", tokenHash: "ha", nowMs: 6)
            #expect(a.id != b.id)
            await #expect(throws: StoreError.self) { try await store.registerAgent(name: "a", tokenHash: "other", nowMs: 7) }
            do {
                _ = try await store.registerAgent(name: "a", tokenHash: "other", nowMs: 7)
            } catch let error as StoreError {
                #expect(error.code == .alreadyExists)
            }
            #expect(try await store.agents().map(\.name) == ["a", "b"])
            #expect(try await store.agent(tokenHash: "hb")?.name == "b")
            #expect(try await store.agent(tokenHash: "nope") == nil)
            try await store.replaceAgentToken(name: "b", tokenHash: "hb2")
            #expect(try await store.agent(tokenHash: "hb") == nil)
            #expect(try await store.agent(tokenHash: "hb2")?.createdMs == 5)
            do {
                try await store.replaceAgentToken(name: "zz", tokenHash: "x")
                Issue.record("replacing an unknown agent's token must fail")
            } catch let error as StoreError {
                #expect(error.code == .notFound)
            }
            try await store.addAPIToken(hash: "admin", name: "first", scope: .admin, nowMs: 1)
            try await store.addAPIToken(hash: "admin", name: "again", scope: .read, nowMs: 2)
            #expect(try await store.apiTokenScope(hash: "admin") == .admin)
            #expect(try await store.apiTokenScope(hash: "ha") == nil)
        }
    }

    @Test("API tokens have scopes, unique live names, and revocation that sticks and keeps an admin", arguments: StoreEngine.available)
    func apiTokens(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.addAPIToken(hash: "h-admin", name: "admin.token", scope: .admin, nowMs: 1)
            let reader = try await store.createAPIToken(hash: "h-read", name: "grafana", scope: .read, nowMs: 2)
            #expect(reader.scope == .read && reader.name == "grafana")
            #expect(try await store.apiTokenScope(hash: "h-read") == .read)
            await #expect(throws: StoreError(.alreadyExists, "a token named \"grafana\" already exists")) {
                _ = try await store.createAPIToken(hash: "h-other", name: "grafana", scope: .admin, nowMs: 3)
            }
            #expect(try await store.apiTokens().map(\.name) == ["admin.token", "grafana"])
            // The only admin token cannot go.
            await #expect(throws: StoreError.lastAdminToken("admin.token")) { _ = try await store.revokeAPITokens(name: "admin.token") }
            #expect(try await store.revokeAPITokens(name: "grafana") == 1)
            #expect(try await store.apiTokenScope(hash: "h-read") == nil)
            // A revoked token never comes back, not even when its hash is added again.
            try await store.addAPIToken(hash: "h-read", name: "grafana", scope: .admin, nowMs: 4)
            #expect(try await store.apiTokenScope(hash: "h-read") == nil)
            await #expect(throws: StoreError(.notFound, "no token named \"grafana\"")) { _ = try await store.revokeAPITokens(name: "grafana") }
            // The name is free again, and with a second admin the first can go.
            _ = try await store.createAPIToken(hash: "h-ops", name: "ops", scope: .admin, nowMs: 5)
            #expect(try await store.revokeAPITokens(name: "admin.token") == 1)
            #expect(try await store.apiTokens().map(\.name) == ["ops"])
        }
    }

    @Test("ingest folds heartbeats into intervals, once per (agent, session, seq)", arguments: StoreEngine.available)
    func ingest(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let agent = try await store.registerAgent(name: "a1", tokenHash: "h", nowMs: 0)
            let first = try await store.ingest(Self.input(Self.batch(seq: 1, start: 1_000_000, [.up, .up, .down, .down, .up]), agent: agent.id))
            #expect(first == IngestOutcome(accepted: 5, duplicate: false, rejected: [], unknownCheck: false))
            let again = try await store.ingest(Self.input(Self.batch(seq: 1, start: 1_000_000, [.up, .up, .down, .down, .up]), agent: agent.id))
            #expect(again.duplicate && again.accepted == 0)

            #expect(try await store.services() == ["web"])
            let checks = try await store.checks(service: "web")
            #expect(checks.count == 1 && checks[0].agentName == "a1" && checks[0].definition.target == "http://x")
            #expect(checks[0].lastHeartbeat?.timestampMs == 1_040_000 && checks[0].lastHeartbeat?.status == .up)
            #expect(try await store.allChecks() == checks)
            #expect(try await store.checks(service: "other").isEmpty)

            let runs = try await store.intervals(checkID: checks[0].id, overlapping: TimeRange(startMs: 0, endMs: 2_000_000))
            #expect(runs.map(\.status) == [.up, .down, .up])
            #expect(runs.map(\.beats) == [2, 2, 1])
            #expect(runs.map(\.startMs) == [1_000_000, 1_020_000, 1_040_000])
            #expect(runs[1].message == "HTTP 503")
            #expect(try await store.intervals(checkIDs: [checks[0].id, 999], overlapping: TimeRange(startMs: 1_025_000, endMs: 1_030_000))
                == [checks[0].id: [runs[1]], 999: []])

            let stored = try await store.agents()[0]
            #expect(stored.batches == 1 && stored.heartbeats == 5 && stored.dropped == 2)
            #expect(stored.lastHeartbeatMs == 1_040_000 && stored.sessionID == "s1" && stored.agentVersion == "test")
            #expect(try await store.rawBatchCount(agentID: agent.id) == 1)
        }
    }

    @Test("a late batch fills only time that is still unknown", arguments: StoreEngine.available)
    func outOfOrder(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let agent = try await store.registerAgent(name: "a1", tokenHash: "h", nowMs: 0)
            _ = try await store.ingest(Self.input(Self.batch(seq: 2, start: 1_100_000, [.up, .up]), agent: agent.id))
            _ = try await store.ingest(Self.input(Self.batch(seq: 1, start: 1_000_000, [.down]), agent: agent.id))
            let id = try await store.allChecks()[0].id
            let runs = try await store.intervals(checkID: id, overlapping: TimeRange(startMs: 0, endMs: 2_000_000))
            #expect(runs.map(\.status) == [.down, .up])
            #expect(runs.map(\.startMs) == [1_000_000, 1_100_000])
            #expect(runs[0].endMs == 1_000_000 + Self.check.staleAfterMs)
            // The newest heartbeat stays the check's last one, whatever order the batches came in.
            #expect(try await store.allChecks()[0].lastHeartbeat?.timestampMs == 1_110_000)
        }
    }

    @Test("heartbeats out of the accepted span or for unknown checks are refused one by one", arguments: StoreEngine.available)
    func rejects(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let agent = try await store.registerAgent(name: "a1", tokenHash: "h", nowMs: 0)
            var batch = Self.batch(seq: 1, start: 1_000_000, [.up, .up])
            batch.heartbeats.append(Heartbeat(check: 7, timestampMs: 1_000_000, status: .up))
            batch.heartbeats.append(Heartbeat(check: 1, timestampMs: 99_000_000, status: .up))
            var input = Self.input(batch, agent: agent.id)
            input.oldestAcceptedMs = 1_005_000
            let outcome = try await store.ingest(input)
            #expect(outcome.accepted == 1)
            #expect(outcome.unknownCheck)
            #expect(outcome.rejected.map(\.index) == [0, 2, 3])
            // Definitions persist across batches of the same session; a new session must define its checks.
            let next = try await store.ingest(Self.input(Self.batch(seq: 2, start: 1_020_000, [.up], define: false), agent: agent.id))
            #expect(next.accepted == 1)
            let other = try await store.ingest(Self.input(Self.batch(seq: 1, start: 1_030_000, [.up], session: "s2", define: false), agent: agent.id))
            #expect(other.accepted == 0 && other.unknownCheck)
        }
    }

    @Test("the same batch sent at once from many connections is stored once", arguments: StoreEngine.available)
    func concurrentDuplicates(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let agent = try await store.registerAgent(name: "a1", tokenHash: "h", nowMs: 0)
            let input = Self.input(Self.batch(seq: 1, start: 1_000_000, [.up, .down, .up]), agent: agent.id)
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for _ in 0..<8 { group.addTask { try await store.ingest(input) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0.duplicate }.count == 1)
            #expect(try await store.agents()[0].heartbeats == 3)
            #expect(try await store.rawBatchCount(agentID: agent.id) == 1)
            #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: 86_400_000 * 2)]).total == 3)
        }
    }

    @Test("rollups from agents writing at once add up exactly", arguments: StoreEngine.available)
    func concurrentRollups(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            var ids: [Int64] = []
            for name in ["a", "b", "c", "d"] { ids.append(try await store.registerAgent(name: name, tokenHash: name, nowMs: 0).id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask {
                        for seq in 1...5 {
                            _ = try await store.ingest(Self.input(Self.batch(seq: UInt64(seq), start: 1_000_000 + Int64(seq) * 50_000, [.up, .down, .up]), agent: id))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counts = try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: 86_400_000)])
            #expect(counts.up == 40 && counts.down == 20)
            #expect(counts.latency.total == 40)
        }
    }

    @Test("probe rollups sum over ranges; minute rows are pruned, hours and days stay", arguments: StoreEngine.available)
    func rollups(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let agent = try await store.registerAgent(name: "a1", tokenHash: "h", nowMs: 0)
            // 60 000 … 170 000: two minutes' heartbeats (minute rows 60 000 and 120 000).
            _ = try await store.ingest(Self.input(Self.batch(seq: 1, start: 60_000, Array(repeating: .up, count: 11) + [.down]), agent: agent.id))
            let hour = [TimeRange(startMs: 0, endMs: 3_600_000)]
            let counts = try await store.probeCounts(service: "web", over: hour)
            #expect(counts.up == 11 && counts.down == 1 && counts.latency.total == 11)
            #expect(try await store.probeCounts(over: ["web": [TimeRange(startMs: 60_000, endMs: 120_000)], "none": hour])
                == ["web": ProbeCounts(up: 6, latency: Self.histogram(latenciesMs: [1, 2, 3, 4, 5, 6])), "none": ProbeCounts()])
            #expect(try await store.pruneMinuteRollups(before: 180_000) == 2)
            #expect(try await store.probeCounts(service: "web", over: hour).total == 12)
            #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 60_000, endMs: 180_000)]).total == 0)
        }
    }

    static func histogram(latenciesMs ms: [UInt32]) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        for value in ms { histogram.record(microseconds: value * 1_000) }
        return histogram
    }

    @Test("history import creates agents and checks, and replaces rows with the same keys", arguments: StoreEngine.available)
    func importHistory(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let runs = [
                StateInterval(status: .up, startMs: 0, endMs: 100, lastBeatMs: 90, beats: 10, message: ""),
                StateInterval(status: .down, startMs: 100, endMs: 200, lastBeatMs: 190, beats: 10, message: "refused"),
            ]
            let history = HistoryImport(
                checks: [.init(agentName: "old", definition: Self.check, runs: runs)],
                rollups: [.init(service: "web", resolutionMs: 86_400_000, startMs: 0, counts: ProbeCounts(up: 10, down: 10))]
            )
            try await store.importHistory(history)
            try await store.importHistory(history)
            let checks = try await store.allChecks()
            #expect(checks.map(\.agentName) == ["old"])
            #expect(try await store.intervals(checkID: checks[0].id, overlapping: TimeRange(startMs: 0, endMs: 1_000)) == runs)
            #expect(try await store.probeCounts(service: "web", over: [TimeRange(startMs: 0, endMs: 86_400_000)]) == ProbeCounts(up: 10, down: 10))
            #expect(try await store.agent(tokenHash: "import:old") != nil)
        }
    }
}
