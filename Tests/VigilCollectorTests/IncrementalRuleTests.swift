import Logging
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Incremental alert evaluation (issue 20): an evaluator that keeps its ``RuleSchedule`` across passes
/// must store exactly the alerts that evaluating every service on every pass stores, while evaluating
/// only what changed.
@Suite("Incremental alert rules")
struct IncrementalRuleTests {
    /// Heartbeats are stamped up to this far ahead of the evaluator's clock, so changes enter the windows
    /// after the feed reported them (what ``RuleSchedule/settleMs`` is for).
    static let aheadMs: Int64 = 60_000

    /// Three services with different rules: a monthly time SLA whose month ends during the history,
    /// a one-day rolling window counting probes or slices, and one counting unknown time as down or
    /// confirmed by one location.
    static func catalog(seed: UInt64) -> ServiceCatalog {
        var catalog = ServiceCatalog()
        var monthly = ServicePolicy()
        monthly.target = Percentage("99.9")
        monthly.period = .month
        catalog.services["svc-0"] = monthly
        var rolling = ServicePolicy()
        rolling.target = Percentage("99")
        rolling.period = .rolling(ms: 86_400_000)
        rolling.method = seed % 2 == 0 ? .occurrences : .timeslices(lengthMs: 60_000, badAbove: Percentage("0")!)
        catalog.services["svc-1"] = rolling
        var third = ServicePolicy()
        third.target = Percentage("99.5")
        if seed % 3 == 0 { third.unknownPolicy = .down } else { third.quorum = .atLeast(1) }
        catalog.services["svc-2"] = third
        catalog.services["svc-calm"] = monthly
        return catalog
    }

    static func input(
        agent: Int64, seq: UInt64, beats: [Heartbeat], receivedMs: Int64, checks: [CheckDefinition] = StoredOutageTests.definitions()
    ) -> IngestBatch {
        IngestBatch(
            agentID: agent,
            batch: Batch(sessionID: "s", seq: seq, agentVersion: "t", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats),
            rawBody: [UInt8](repeating: UInt8(seq & 0xFF), count: 8), contentType: "application/x-protobuf", contentEncoding: "deflate",
            receivedMs: receivedMs, oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
        )
    }

    /// Every alert in the outbox, as stored (body byte for byte).
    static func outbox(_ store: any Store) async throws -> Set<StoredAlert> {
        Set(try await store.alerts(sinceMs: Int64.min / 2, limit: 100_000, before: nil).map(\.alert))
    }

    static let seeds: [(StoreEngine, UInt64)] = StoreEngine.available.flatMap { engine in
        (0..<UInt64(engine == .postgres ? 1 : 3)).map { (engine, $0) }
    }

    @Test("an evaluator that remembers stores the same alerts as one that evaluates everything every pass", arguments: seeds)
    func sameAlerts(engine: StoreEngine, seed: UInt64) async throws {
        try await Self.withPair(engine: engine) { live, full in
            var generator = SeededGenerator(seed: 60_000 + seed)
            let catalog = Self.catalog(seed: seed)
            var quiet = Logger(label: "test")
            quiet.logLevel = .warning
            func alerting(_ harness: TestCollector) -> (OutageTracker, AlertEvaluator) {
                (
                    OutageTracker(store: harness.collector.store, catalog: catalog, settings: AlertSettings(), logger: quiet),
                    AlertEvaluator(store: harness.collector.store, catalog: catalog, settings: AlertSettings(), logger: quiet)
                )
            }
            let (liveTracker, liveEvaluator) = alerting(live)
            let (fullTracker, _) = alerting(full)

            // The history of the stored-outage tests, moved to end November 15 minutes in.
            let offset = 1_796_083_200_000 /* 2026-12-01T00:00Z */ - 15 * 60_000 - StoredOutageTests.start
            var inputs: [IngestBatch] = []
            for (agent, batches) in StoredOutageTests.histories(&generator, agents: 3, steps: 200).enumerated() {
                for harness in [live, full] {
                    _ = try await harness.collector.store.registerAgent(name: "a\(agent)", tokenHash: "h\(agent)", nowMs: 0)
                }
                inputs += batches.enumerated().map { index, beats in
                    let moved = beats.map { beat in
                        var beat = beat
                        beat.timestampMs += offset
                        return beat
                    }
                    return Self.input(agent: Int64(agent + 1), seq: UInt64(index + 1), beats: moved, receivedMs: moved.last!.timestampMs + 500)
                }
            }
            // A fourth agent whose two checks of `svc-calm` succeed every 10 s, in batches of three, until
            // its last batch, the last of all, fails twice: stamped ahead of the evaluator's clock, the
            // failures enter the windows only after the feed reported them, and then page.
            let calm = (1...2).map {
                CheckDefinition(id: UInt32($0), name: "calm-\($0)", service: "svc-calm", kind: "http", target: "http://calm/\($0)", intervalMs: 10_000, timeoutMs: 5_000)
            }
            for harness in [live, full] { _ = try await harness.collector.store.registerAgent(name: "calm", tokenHash: "calm", nowMs: 0) }
            let first = inputs.map(\.receivedMs).min()!
            let rounds = 68
            for round in 0..<rounds {
                let beats = (0..<3).flatMap { step in
                    (1...2).map { check in
                        let down = round == rounds - 1 && step > 0
                        return Heartbeat(
                            check: UInt32(check), timestampMs: first + Int64(round * 3 + step) * 10_000, status: down ? .down : .up, latencyUs: 1_000,
                            code: down ? 503 : 200, message: down ? "HTTP 503" : ""
                        )
                    }
                }
                inputs.append(Self.input(agent: 4, seq: UInt64(round + 1), beats: beats, receivedMs: beats.last!.timestampMs + 500, checks: calm))
            }
            inputs.sort { $0.receivedMs < $1.receivedMs }

            var evaluatedLive = 0
            var evaluatedFull = 0
            var passes = 0
            func pass(at nowMs: Int64, slow: Bool) async throws {
                _ = try await liveTracker.pass(nowMs: nowMs)
                _ = try await fullTracker.pass(nowMs: nowMs)
                _ = try await liveEvaluator.evaluate(nowMs: nowMs, includeSlowRules: slow)
                // A new evaluator each pass remembers nothing: it evaluates every service.
                let (_, fresh) = alerting(full)
                _ = try await fresh.evaluate(nowMs: nowMs, includeSlowRules: slow)
                evaluatedLive += liveEvaluator.schedule.withLock { $0.lastEvaluated(.burnRate) }
                evaluatedFull += fresh.schedule.withLock { $0.lastEvaluated(.burnRate) }
                passes += 1
                let (a, b) = (try await Self.outbox(live.collector.store), try await Self.outbox(full.collector.store))
                #expect(a == b, "at \(nowMs): only live \(a.subtracting(b).map(\.dedupeKey)), only full \(b.subtracting(a).map(\.dedupeKey))")
            }

            var maintenance: [Int64: Int64] = [:]
            for (index, input) in inputs.enumerated() {
                for harness in [live, full] { _ = try await harness.collector.store.ingest(input) }
                if index % 40 == 12 {
                    // A maintenance window over the last ten minutes comes and goes on both stores.
                    if let (liveID, fullID) = maintenance.first {
                        try await live.collector.store.removeMaintenance(id: liveID)
                        try await full.collector.store.removeMaintenance(id: fullID)
                        maintenance = [:]
                    } else {
                        let record = MaintenanceRecord(
                            service: "svc-\(index % 3)", once: TimeRange(startMs: input.receivedMs - 600_000, endMs: input.receivedMs), reason: "work",
                            createdMs: input.receivedMs
                        )
                        maintenance[try await live.collector.store.addMaintenance(record).id] = try await full.collector.store.addMaintenance(record).id
                    }
                }
                // PostgreSQL passes are dozens of round trips each: fewer of them.
                if Int.random(in: 0..<(engine == .postgres ? 10 : 4), using: &generator) == 0 {
                    try await pass(at: input.receivedMs - Self.aheadMs, slow: Bool.random(using: &generator))
                }
            }
            // Time passes with no data: data stops, the heartbeats stamped ahead enter the windows, burn
            // windows slide past the failures, December goes on.
            let last = inputs.last!.receivedMs
            let day: Int64 = 86_400_000
            for later in [last - 30_000, last + 60_000, last + 600_000, last + 3_600_000, last + 7 * 3_600_000, last + 2 * day, last + 4 * day, last + 4 * day + 5_000] {
                try await pass(at: later, slow: true)
            }
            let calmPage = try await Self.outbox(live.collector.store).filter { $0.type == "slo.burn_rate" && $0.service == "svc-calm" }
            #expect(calmPage.count == 1, "the calm service's last failures page once")
            let types = Set(try await Self.outbox(live.collector.store).map(\.type))
            #expect(types.isSuperset(of: ["outage.opened", "slo.burn_rate", "sla.breached"]), "the history raises every kind of rule: \(types)")
            #expect(evaluatedFull > 3 * passes)
            // The calm service is evaluated on the first pass and for the settle time after its first
            // heartbeats (the only ones the feed reports), then not again.
            #expect(evaluatedLive < evaluatedFull - passes / 2, "evaluated \(evaluatedLive) services' figures against \(evaluatedFull)")
            // Four days on, with nothing new, nothing can fire without new data, except for a service that
            // counts unknown time as down: only it is still evaluated.
            let (hot, _) = liveEvaluator.schedule.withLock { $0.counts(.burnRate) }
            #expect(hot == (seed % 3 == 0 ? 1 : 0))
            #expect(liveEvaluator.schedule.withLock { $0.lastEvaluated(.burnRate) } == hot)
        }
    }

    /// Two collectors' stores for the same history: `live` for the evaluator that remembers, `full` for
    /// a new evaluator each pass.
    static func withPair(engine: StoreEngine, _ body: (_ live: TestCollector, _ full: TestCollector) async throws -> Void) async throws {
        let live = try await TestCollector(engine: engine)
        let full = try await TestCollector(engine: engine)
        defer {
            live.directory.remove()
            full.directory.remove()
        }
        try await body(live, full)
    }

    @Test("an evaluator that remembers its tickets stores the same ticket alerts as one that reads every open ticket every pass",
          arguments: StoreEngine.available.flatMap { engine in (0..<UInt64(engine == .postgres ? 1 : 3)).map { (engine, $0) } })
    func sameTicketAlerts(engine: StoreEngine, seed: UInt64) async throws {
        try await Self.withPair(engine: engine) { live, full in
            var generator = SeededGenerator(seed: 80_000 + seed)
            let hour: Int64 = 3_600_000
            var catalog = ServiceCatalog()
            var tickets = TicketSettings.seedsExample()
            // Urgent tickets on office hours (Mon–Fri 09:00–17:00 UTC): their clocks stop overnight.
            let office = BusinessCalendar(name: "office", schedule: WeeklySchedule(
                zone: FixedOffsetZone.utc, hours: [WeeklyHours(days: [.monday, .tuesday, .wednesday, .thursday, .friday], fromMinute: 540, toMinute: 1_020)]
            ))
            tickets.policies.insert(TicketPolicy(name: "urgent", priorities: [.urgent], targets: [
                .firstResponse: TicketTarget(durationMs: 2 * hour, calendar: office), .resolution: TicketTarget(durationMs: 8 * hour, calendar: office),
            ]), at: 0)
            catalog.tickets = tickets
            var quiet = Logger(label: "test")
            quiet.logLevel = .warning
            let liveEvaluator = AlertEvaluator(store: live.collector.store, catalog: catalog, settings: AlertSettings(), logger: quiet)

            // 40 tickets opened over three days from Monday 2026-11-23, each with a few later changes:
            // replies, pauses, solves, reopens. Each change reaches both stores when the pass clock passes it.
            let start: Int64 = 1_795_392_000_000
            var changes: [(atMs: Int64, ticket: Ticket, events: [TicketEvent])] = []
            for index in 0..<40 {
                let created = start + Int64.random(in: 0..<72 * hour, using: &generator)
                let ticket = Ticket(
                    externalID: "T-\(index)", title: "ticket \(index)", priority: [.low, .normal, .high, .urgent].randomElement(using: &generator)!,
                    category: Bool.random(using: &generator) ? "technical" : "billing", tags: ["svc-\(index % 3)"], createdMs: created
                )
                changes.append((created, ticket, [TicketEvent(atMs: created, kind: .status(.open))]))
                var at = created
                for _ in 0..<Int.random(in: 0...4, using: &generator) {
                    at += Int64.random(in: 10 * 60_000...30 * hour, using: &generator)
                    let kind: TicketEvent.Kind = [
                        .agentReply, .requesterReply, .status(.pending), .status(.open), .status(.solved), .status(.open),
                    ].randomElement(using: &generator)!
                    changes.append((at, ticket, [TicketEvent(atMs: at, kind: kind)]))
                }
            }
            changes.sort { $0.atMs < $1.atMs }

            var next = 0
            var evaluatedLive = 0
            var evaluatedFull = 0
            var now = start
            while now < start + 7 * 24 * hour {
                now += Int64.random(in: 60_000...90 * 60_000, using: &generator)
                while next < changes.count && changes[next].atMs <= now {
                    let change = changes[next]
                    for harness in [live, full] {
                        if change.events.count == 1, case .status(.open) = change.events[0].kind, change.atMs == change.ticket.createdMs {
                            var ticket = change.ticket
                            ticket.events = change.events
                            _ = try await harness.collector.store.upsertTickets([ticket], nowMs: now)
                        } else {
                            _ = try await harness.collector.store.addTicketEvents(externalID: change.ticket.externalID, change.events, nowMs: now)
                        }
                    }
                    next += 1
                }
                _ = try await liveEvaluator.evaluate(nowMs: now)
                // A new evaluator each pass remembers nothing: it reads every open ticket.
                let fresh = AlertEvaluator(store: full.collector.store, catalog: catalog, settings: AlertSettings(), logger: quiet)
                _ = try await fresh.evaluate(nowMs: now)
                evaluatedLive += liveEvaluator.ticketSchedule.withLock { $0.lastEvaluated }
                evaluatedFull += fresh.ticketSchedule.withLock { $0.lastEvaluated }
                let (a, b) = (try await Self.outbox(live.collector.store), try await Self.outbox(full.collector.store))
                #expect(a == b, "at \(now): only live \(a.subtracting(b).map(\.dedupeKey)), only full \(b.subtracting(a).map(\.dedupeKey))")
            }
            let types = Set(try await Self.outbox(live.collector.store).map(\.type))
            #expect(types.isSuperset(of: ["ticket.sla_at_risk", "ticket.sla_breached"]), "the history raises both ticket alerts: \(types)")
            #expect(evaluatedLive * 3 < evaluatedFull, "evaluated \(evaluatedLive) tickets against \(evaluatedFull)")
        }
    }

    @Test("a service with down time in its windows stays evaluated: its data stops, good time slides out, and a rule fires on time alone")
    func firesOnTimeAlone() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let hour: Int64 = 3_600_000
        let end: Int64 = 1_795_176_000_000 // 2026-11-20T12:00:00Z, where the data stops
        // 23 hours up, then 4 minutes down, at 30 s probes.
        let runs = [
            StateInterval(status: .up, startMs: end - 23 * hour - 240_000, endMs: end - 240_000, lastBeatMs: end - 270_000, beats: 2_760),
            StateInterval(status: .down, startMs: end - 240_000, endMs: end, lastBeatMs: end - 30_000, beats: 8, message: "HTTP 503"),
        ]
        let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 30_000, timeoutMs: 10_000)
        try await store.importHistory(HistoryImport(checks: [.init(agentName: "a1", definition: check, runs: runs)]))
        // Only the workbook's one-day ticket rule: 3x over 1d and 2h.
        var policy = ServicePolicy()
        policy.target = Percentage("99.9")
        policy.burnRules = [BurnRateRule(severity: .ticket, longMs: 24 * hour, shortMs: 2 * hour, factor: "3")]
        var catalog = ServiceCatalog()
        catalog.services["web"] = policy
        let tracker = OutageTracker(store: store, catalog: catalog, settings: AlertSettings(), logger: Logger(label: "test"))
        let evaluator = AlertEvaluator(store: store, catalog: catalog, settings: AlertSettings(), logger: Logger(label: "test"))
        func burns(at nowMs: Int64) async throws -> [AlertEvent] {
            _ = try await tracker.pass(nowMs: nowMs)
            return try await evaluator.evaluate(nowMs: nowMs).filter { $0.type == "slo.burn_rate" }
        }
        // At the end, 4 min down in 23 h 4 min known is 2.89x the budget: under 3x.
        #expect(try await burns(at: end).isEmpty)
        #expect(try await burns(at: end + 10 * 60_000).isEmpty, "past the settle time, nothing new in the feed")
        #expect(try await burns(at: end + hour + 40 * 60_000).isEmpty, "4 min in 22 h 24 min known is 2.98x")
        // 1 h 50 min on, that much of the oldest data has slid out of the day: 4 min in 22 h 10 min is
        // 3.008x, and the 2 h window holds the last 10 minutes of data, 4 of them down.
        let fired = try await burns(at: end + hour + 50 * 60_000)
        #expect(fired.map(\.details["rule"]) == ["ticket 1d/2h"])
    }
}
