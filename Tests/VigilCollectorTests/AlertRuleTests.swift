import Logging
import VigilConfig
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilCollector

@Suite("Alert rules")
struct AlertRuleTests {
    let hour: Int64 = 3_600_000

    func evaluator(_ harness: TestCollector, catalog: ServiceCatalog = ServiceCatalog(), settings: AlertSettings = AlertSettings()) -> Alerting {
        Alerting(
            tracker: OutageTracker(store: harness.collector.store, catalog: catalog, settings: settings, logger: Logger(label: "test")),
            evaluator: AlertEvaluator(store: harness.collector.store, catalog: catalog, settings: settings, logger: Logger(label: "test"))
        )
    }

    /// What the collector's two alerting services raise at one instant: the outage tracker's pass, then
    /// the evaluator's.
    struct Alerting {
        let tracker: OutageTracker
        let evaluator: AlertEvaluator

        func evaluate(nowMs: Int64) async throws -> [AlertEvent] {
            try await tracker.pass(nowMs: nowMs) + evaluator.evaluate(nowMs: nowMs)
        }
    }

    @Test("a full outage fires the page burn rate and an unreachable SLA once each", arguments: StoreEngine.available)
    func burnAndSLA(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        // A fixed "now" in the middle of November 2026, so the month's remaining time is known.
        let now: Int64 = 1_795_176_000_000 // 2026-11-20T12:00:00Z
        // Two days up, then down for the last hour, 30 s probes.
        let start = now - 49 * hour
        let runs = [
            StateInterval(status: .up, startMs: start, endMs: now - hour, lastBeatMs: now - hour - 30_000, beats: 5_760),
            StateInterval(status: .down, startMs: now - hour, endMs: now + 60_000, lastBeatMs: now, beats: 121, message: "status 503"),
        ]
        let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 30_000, timeoutMs: 10_000)
        try await harness.collector.store.importHistory(HistoryImport(checks: [.init(agentName: "a1", definition: check, runs: runs)]))
        var catalog = ServiceCatalog()
        var policy = ServicePolicy()
        policy.target = Percentage("99.9")
        policy.period = .month
        catalog.services["web"] = policy
        let evaluator = evaluator(harness, catalog: catalog)
        let first = try await evaluator.evaluate(nowMs: now)
        #expect(Set(first.map(\.type)) == ["outage.opened", "slo.burn_rate", "sla.breached"])
        let burn = try #require(first.first { $0.type == "slo.burn_rate" })
        #expect(burn.severity == .page && burn.details["rule"] == "page 1h/5m")
        // 10.5 days of November remain: even with no more downtime, (48 h + 252 h) / (49 h + 252 h) is
        // 99.67 % < 99.9 %, so the month's target can no longer be reached.
        #expect(first.first { $0.type == "sla.breached" }?.details["reason"] == "unreachable")
        #expect(first.first { $0.type == "sla.breached" }?.dedupeKey == "sla:web:2026-11:breached")
        // Evaluating again raises nothing new.
        #expect(try await evaluator.evaluate(nowMs: now + 5_000).isEmpty)
    }

    @Test("a silent agent raises agent.silent once, and agent.recovered once when it is back", arguments: StoreEngine.available)
    func agents(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let agent = try await store.registerAgent(name: "edge-1", tokenHash: "h", nowMs: 0)
        let now = WallClockForTests.nowMs()
        func ingest(seq: UInt64, at ms: Int64) async throws {
            _ = try await store.ingest(IngestBatch(
                agentID: agent.id, batch: Batch(sessionID: "s", seq: seq, agentVersion: "t", checks: [], heartbeats: []), rawBody: [],
                contentType: "application/json", contentEncoding: "identity", receivedMs: ms, oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
            ))
        }
        try await ingest(seq: 1, at: now - 10 * 60_000)
        let evaluator = evaluator(harness)
        #expect(try await evaluator.evaluate(nowMs: now).map(\.type) == ["agent.silent"])
        #expect(try await evaluator.evaluate(nowMs: now + 1_000).isEmpty)
        try await ingest(seq: 2, at: now + 2_000)
        #expect(try await evaluator.evaluate(nowMs: now + 3_000).map(\.type) == ["agent.recovered"])
        #expect(try await evaluator.evaluate(nowMs: now + 4_000).isEmpty)
    }

    @Test("ticket clocks at risk and breached raise one event each", arguments: StoreEngine.available)
    func tickets(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let now = WallClockForTests.nowMs()
        // Seeds' policy: first response within 24 h. 23 h old: 1 h of 24 left, under 25 % → at risk;
        // 30 h old → breached.
        _ = try await harness.collector.store.upsertTickets([
            Ticket(externalID: "R-1", priority: .urgent, tags: ["api"], createdMs: now - 23 * hour),
            Ticket(externalID: "B-1", priority: .high, tags: ["api"], createdMs: now - 30 * hour),
        ], nowMs: now)
        let events = try await evaluator(harness).evaluate(nowMs: now)
        // (B-1's 48 h resolution clock has 18 h left, 37.5 %: not at risk.)
        #expect(Set(events.map(\.dedupeKey)) == ["ticket:R-1:first_response:at_risk", "ticket:B-1:first_response:breached"])
        #expect(try await evaluator(harness).evaluate(nowMs: now + 1_000).isEmpty)
    }
}

extension AlertRuleTests {
    @Test("a certificate under its warning days raises certificate.expiring once per level", arguments: StoreEngine.available)
    func certificates(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let agent = try await store.registerAgent(name: "edge", tokenHash: "h", nowMs: 0)
        let now = WallClockForTests.nowMs()
        let check = CheckDefinition(id: 1, name: "cert", service: "web", kind: "tls", target: "web.example:443", intervalMs: 3_600_000, timeoutMs: 10_000)
        func probe(seq: UInt64, status: CheckStatus, days: Int32, at ms: Int64) async throws {
            _ = try await store.ingest(IngestBatch(
                agentID: agent.id,
                batch: Batch(sessionID: "s", seq: seq, agentVersion: "t", checks: seq == 1 ? [check] : [], heartbeats: [
                    Heartbeat(check: 1, timestampMs: ms, status: status, code: days, message: "certificate expires in \(days) days (2026-12-05)"),
                ]),
                rawBody: [], contentType: "application/json", contentEncoding: "identity", receivedMs: ms, oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
            ))
        }
        try await probe(seq: 1, status: .degraded, days: 13, at: now - 1_000)
        let evaluator = evaluator(harness)
        let first = try await evaluator.evaluate(nowMs: now)
        #expect(first.map(\.dedupeKey) == ["cert:edge/cert:2026-12-05:ticket"])
        #expect(first.first?.summary == "web.example:443: certificate expires in 13 days (2026-12-05)")
        try await probe(seq: 2, status: .degraded, days: 12, at: now)
        #expect(try await evaluator.evaluate(nowMs: now + 1_000).isEmpty)
        try await probe(seq: 3, status: .down, days: 6, at: now + 2_000)
        #expect(try await evaluator.evaluate(nowMs: now + 3_000).map(\.severity) == [.page])
    }
}

extension AlertRuleTests {
    @Test("reminders every N while an outage stays open; a delivery past its maximum age is marked failed", arguments: StoreEngine.available)
    func remindersAndFailure(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let now: Int64 = 1_795_176_000_000
        let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 30_000, timeoutMs: 10_000)
        let runs = [
            StateInterval(status: .up, startMs: now - 2 * hour, endMs: now - 25 * 60_000, lastBeatMs: now - 25 * 60_000 - 30_000, beats: 190),
            StateInterval(status: .down, startMs: now - 25 * 60_000, endMs: now + 60_000, lastBeatMs: now, beats: 51, message: "status 500"),
        ]
        try await harness.collector.store.importHistory(HistoryImport(checks: [.init(agentName: "a1", definition: check, runs: runs)]))
        var settings = AlertSettings()
        settings.reminderEveryMs = 10 * 60_000
        settings.maxAgeMs = 1
        var dead = HookConfiguration(name: "dead", url: "http://127.0.0.1:1/hook")
        dead.timeoutMs = 500
        settings.hooks = [dead]
        let evaluator = evaluator(harness, settings: settings)
        // Opened at the second failure (now − 24.5 min): reminders are due at +10 and +20 min, so the
        // pass that opens it also sends the second reminder (not one per missed step).
        let first = try await evaluator.evaluate(nowMs: now)
        #expect(first.map(\.type) == ["outage.opened", "outage.reminder"])
        #expect(first.last?.dedupeKey.hasSuffix(":reminder:2") == true)
        #expect(try await evaluator.evaluate(nowMs: now + 1_000).isEmpty)
        // Ten minutes later the data has gone stale (the last probe was at now): the outage ended, so it is
        // resolved and not reminded.
        #expect(try await evaluator.evaluate(nowMs: now + 600_000).map(\.type) == ["outage.resolved"])
        // The only hook refuses connections and the maximum age is 1 ms: each delivery ends failed, visibly.
        let dispatcher = AlertDispatcher(store: harness.collector.store, settings: settings, logger: Logger(label: "test"))
        try await dispatcher.deliverDue(nowMs: WallClockForTests.nowMs() + 10)
        let records = try await harness.collector.store.alerts(sinceMs: 0, limit: 10)
        #expect(records.flatMap(\.deliveries).map(\.state) == [.failed, .failed, .failed])
        #expect(records.flatMap(\.deliveries).allSatisfy { !$0.lastError.isEmpty })
    }

    @Test("burn-rate rules can be replaced per SLA")
    func burnOverride() throws {
        let root = try ConfigDocument.parse("services:\n  api:\n    sla:\n      target: 99.9\n      burn_rates: [{severity: page, long: 2h, short: 10m, factor: 10}]\n", file: "c.yaml")
        let policy = try CollectorConfiguration.parse(root).catalog.policy(for: "api")
        #expect(policy.burnRules == [BurnRateRule(severity: .page, longMs: 7_200_000, shortMs: 600_000, factor: 10)])
        let bad = try ConfigDocument.parse("services:\n  api:\n    sla: {burn_rates: [{severity: page, long: 5m, short: 1h, factor: 2}]}\n", file: "c.yaml")
        #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(bad) }
    }
}
