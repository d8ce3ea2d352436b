import Logging
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Outages as stored facts (issue 20): ingest records changes in the same transaction as the
/// heartbeats, the tracker derives them and stores outages with their alerts; the stored outages must
/// equal a naive derivation over every check's whole history, whatever order batches arrive in.
@Suite("Stored outages")
struct StoredOutageTests {
    static let start: Int64 = 9_000_000_000

    /// Six checks on each of three agents (locations), two checks a service.
    static func definitions() -> [CheckDefinition] {
        (1...6).map {
            CheckDefinition(id: UInt32($0), name: "c\($0)", service: "svc-\($0 % 3)", kind: "http", target: "http://x/\($0)", intervalMs: 10_000, timeoutMs: 5_000)
        }
    }

    static func input(agent: Int64, seq: UInt64, checks: [CheckDefinition], beats: [Heartbeat], receivedMs: Int64) -> IngestBatch {
        IngestBatch(
            agentID: agent, batch: Batch(sessionID: "s", seq: seq, agentVersion: "t", dropped: 0, checks: seq == 1 ? checks : [], heartbeats: beats),
            rawBody: [UInt8](repeating: UInt8(seq & 0xFF), count: 8), contentType: "application/x-protobuf", contentEncoding: "deflate",
            receivedMs: receivedMs, oldestAcceptedMs: 0, newestAcceptedMs: 20_000_000_000
        )
    }

    /// Each agent's batches of a history where every check has a "true" state that changes now and
    /// then, each agent seeing it with some noise (so quorum matters), with gaps.
    static func histories(_ generator: inout SeededGenerator, agents: Int, steps: Int, start: Int64 = start) -> [[[Heartbeat]]] {
        var truth = [CheckStatus](repeating: .up, count: 6)
        var beats = [[Heartbeat]](repeating: [], count: agents)
        for step in 0..<steps {
            for check in 0..<6 where Int.random(in: 0..<10, using: &generator) == 0 {
                truth[check] = [CheckStatus.up, .down, .down, .degraded].randomElement(using: &generator)!
            }
            for agent in 0..<agents {
                for check in 0..<6 {
                    if Int.random(in: 0..<15, using: &generator) == 0 { continue }
                    var status = truth[check]
                    if Int.random(in: 0..<7, using: &generator) == 0 { status = status == .down ? .up : .down }
                    beats[agent].append(Heartbeat(
                        check: UInt32(check + 1), timestampMs: start + Int64(step) * 10_000 + Int64.random(in: 0..<2_000, using: &generator),
                        status: status, latencyUs: 1_000, code: status == .down ? 503 : 200,
                        message: status == .down ? "HTTP 503 (\(["a", "b"].randomElement(using: &generator)!))" : ""
                    ))
                }
            }
        }
        return beats.map { $0.randomPieces(sizes: 1...20, using: &generator) }
    }

    /// The naive oracle: every check's whole history, read in full, derived in one go.
    static func oracle(_ store: any Store, catalog: ServiceCatalog, nowMs: Int64) async throws -> [Outage] {
        var outages: [Outage] = []
        for service in try await store.services() {
            let checks = try await store.checks(service: service)
            var locations: [LocationHistory] = []
            var dataStart = Int64.max
            var dataEnd = nowMs + 1
            for check in checks {
                let runs = try await store.intervals(checkID: check.id, overlapping: TimeRange(startMs: 0, endMs: Int64.max / 2))
                dataStart = min(dataStart, runs.first?.startMs ?? .max)
                dataEnd = max(dataEnd, runs.last?.endMs ?? 0)
                locations.append(LocationHistory(name: "\(check.agentName)/\(check.definition.name)", intervalMs: 10_000, runs: runs))
            }
            guard dataStart < dataEnd else { continue }
            let policy = catalog.policy(for: service)
            let span = TimeRange(startMs: dataStart, endMs: dataEnd)
            outages += ServiceHistory(locations: locations, confirmation: policy.confirmation, quorum: policy.quorum, span: span)
                .outages(service: service, span: span, maintenance: [], nowMs: nowMs)
        }
        return outages.sorted { ($0.range.startMs, $0.service) < ($1.range.startMs, $1.service) }
    }

    static func tracker(_ store: any Store, catalog: ServiceCatalog = ServiceCatalog(), settings: AlertSettings = AlertSettings()) -> OutageTracker {
        var quiet = Logger(label: "test")
        quiet.logLevel = .warning
        return OutageTracker(store: store, catalog: catalog, settings: settings, logger: quiet)
    }

    /// Four histories on SQLite, two on PostgreSQL (each of its passes is a dozen round trips).
    static let histories: [(StoreEngine, UInt64)] = StoreEngine.available.flatMap { engine in
        (0..<UInt64(engine == .postgres ? 2 : 4)).map { (engine, $0) }
    }

    @Test("outages derived batch by batch, late batches included, equal the whole history derived at once", arguments: histories)
    func liveEqualsOracle(engine: StoreEngine, seed: UInt64) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        var generator = SeededGenerator(seed: 40_000 + seed)
        let checks = Self.definitions()
        var catalog = ServiceCatalog()
        if seed % 2 == 1 {
            // Odd seeds: a quorum of any one location, and recovery confirmed by two successes.
            var policy = ServicePolicy()
            policy.quorum = .atLeast(1)
            policy.confirmation = Confirmation(failureThreshold: 3, successThreshold: 2)
            catalog.services["svc-1"] = policy
        }
        var tracker = Self.tracker(store, catalog: catalog)
        // A look-back of 1 ms (seeds 0 and 1) or one minute (2 and 3) in a history of 33: a change
        // derives only part of the history, so what it leaves alone must already be right, and streaks
        // running across the span's start must move it back, however short the margin.
        tracker.lookbackMs = seed % 4 < 2 ? 1 : 60_000
        var inputs: [IngestBatch] = []
        for (agent, batches) in Self.histories(&generator, agents: 3, steps: 200).enumerated() {
            let id = try await store.registerAgent(name: "a\(agent)", tokenHash: "h\(agent)", nowMs: 0).id
            inputs += batches.enumerated().map { index, beats in
                Self.input(agent: id, seq: UInt64(index + 1), checks: checks, beats: beats, receivedMs: beats.last!.timestampMs + 500)
            }
        }
        // The agents' batches interleaved by time, then about one in five delivered a few places late.
        inputs.sort { $0.receivedMs < $1.receivedMs }
        for index in inputs.indices.dropLast() where Int.random(in: 0..<5, using: &generator) == 0 {
            let other = Int.random(in: index + 1..<min(inputs.count, index + 8), using: &generator)
            if inputs[other].batch.seq != 1 && inputs[index].batch.seq != 1 { inputs.swapAt(index, other) }
        }
        var events: [AlertEvent] = []
        var index = 0
        while index < inputs.count {
            let input = inputs[index]
            guard index % Int.random(in: 1...6, using: &generator) == 0 else {
                _ = try await store.ingest(input)
                index += 1
                continue
            }
            // In half the passes up to three batches commit after the derivations and before their writes:
            // the pass did not see them, so the feed's start may move only as far as they allow.
            let during = Bool.random(using: &generator) ? Int.random(in: 1...3, using: &generator) : 0
            _ = try await store.ingest(input)
            let late = Array(inputs[(index + 1)..<min(inputs.count, index + 1 + during)])
            var deriving = tracker
            deriving.beforeWriting = { for batch in late { _ = try await store.ingest(batch) } }
            events += try await deriving.pass(nowMs: input.receivedMs)
            index += 1 + late.count
        }
        let last = inputs.map(\.receivedMs).max()!
        events += try await tracker.pass(nowMs: last)
        let live = try await store.storedOutages(service: nil, overlapping: OutageTracker.everything)
        let oracle = try await Self.oracle(store, catalog: catalog, nowMs: last)
        #expect(!oracle.isEmpty, "the history has outages")
        #expect(live == oracle)

        // Time passes with no data: every outage ends where its data does, and is resolved once.
        let later = last + 86_400_000
        events += try await tracker.pass(nowMs: later)
        #expect(try await store.ongoingOutages().isEmpty)
        #expect(try await store.storedOutages(service: nil, overlapping: OutageTracker.everything) == Self.oracle(store, catalog: catalog, nowMs: later))
        #expect(try await tracker.pass(nowMs: later + 1_000).isEmpty, "nothing left to derive or raise")

        // Each alert once; a resolved only after its opened.
        let keys = events.map(\.dedupeKey)
        #expect(Set(keys).count == keys.count)
        let opened = Set(events.filter { $0.type == "outage.opened" }.map { $0.details["outage_id"]! })
        #expect(events.filter { $0.type == "outage.resolved" }.allSatisfy { opened.contains($0.details["outage_id"]!) })
        #expect(!opened.isEmpty)

        // The repair derives the same thing again: nothing to add, change or remove.
        let summary = try await tracker.rebuild(nowMs: later)
        #expect(summary.added == 0 && summary.changed == 0 && summary.removed == 0)
        #expect(summary.stored == oracle.count)

        // And the SLA engine, over a window holding the whole history, finds the same outages.
        let reporter = SLAReporter(store: store, catalog: catalog)
        for service in try await store.services() {
            let report = try #require(try await reporter.evaluate(
                service: service, .init(window: .range(TimeRange(startMs: Self.start - 1, endMs: later))), nowMs: later
            ))
            let stored = try await store.storedOutages(service: service, overlapping: OutageTracker.everything)
            #expect(report.result.outages.map(\.range) == stored.map(\.range), "service \(service)")
            #expect(report.result.outages.map(\.detectedAtMs) == stored.map(\.detectedAtMs))
            #expect(report.result.outages.map(\.locations) == stored.map(\.locations))
        }
    }

    /// One location, 10 s probes: up, then down for 20 s (three failures), then up again.
    static func shortOutage(agent: Int64) -> [IngestBatch] {
        let check = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        var batches: [IngestBatch] = []
        for step in 0..<12 {
            let t = start + Int64(step) * 10_000
            let down = (4...6).contains(step)
            let beat = Heartbeat(check: 1, timestampMs: t, status: down ? .down : .up, latencyUs: 1_000, code: down ? 503 : 200, message: down ? "HTTP 503" : "")
            batches.append(input(agent: agent, seq: UInt64(step + 1), checks: [check], beats: [beat], receivedMs: t + 200))
        }
        return batches
    }

    @Test("a 20 s outage while no leader derives for 15 minutes is stored, its opened and resolved raised once each", arguments: StoreEngine.available)
    func leaderGap(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let agent = try await store.registerAgent(name: "edge", tokenHash: "h", nowMs: 0).id
        for input in Self.shortOutage(agent: agent) { _ = try await store.ingest(input) }
        #expect(try await store.storedOutages(service: nil, overlapping: OutageTracker.everything).isEmpty, "nothing derived yet")
        let back = Self.start + 15 * 60_000
        let tracker = Self.tracker(store)
        let events = try await tracker.pass(nowMs: back)
        #expect(events.map(\.type) == ["outage.opened", "outage.resolved"])
        let stored = try await store.storedOutages(service: "web", overlapping: OutageTracker.everything)
        #expect(stored.map(\.range) == [TimeRange(startMs: Self.start + 40_000, endMs: Self.start + 70_000)])
        #expect(stored.first?.detectedAtMs == Self.start + 50_000)
        #expect(stored.first?.ongoing == false)
        #expect(try await tracker.pass(nowMs: back + 1_000).isEmpty)
        #expect(try await store.outageChanges().isEmpty)
        #expect(try await store.alerts(sinceMs: 0, limit: 10).count == 2)
    }

    /// Successes after a location's newest heartbeat cannot change an outage unless a stored one reaches
    /// past them, so ingest records no change for them. An outage a pass is about to write may reach
    /// past them though: folded while the pass runs, they must still leave a change.
    @Test("successes folded while a pass derives an outage they undo are derived by the next pass", arguments: StoreEngine.available)
    func successesDuringPass(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let checks = Self.definitions()
        let a = try await store.registerAgent(name: "a", tokenHash: "ha", nowMs: 0).id
        let b = try await store.registerAgent(name: "b", tokenHash: "hb", nowMs: 0).id
        func beats(_ seconds: StrideThrough<Int>, _ status: CheckStatus) -> [Heartbeat] {
            seconds.map {
                Heartbeat(check: 1, timestampMs: Self.start + Int64($0) * 1_000, status: status, latencyUs: 1_000,
                          code: status == .down ? 503 : 200, message: status == .down ? "HTTP 503" : "")
            }
        }
        // Both locations of svc-1 up for a minute; then a fails for 80 s and recovers, while b's next
        // minutes (all up) come late. Alone, a makes a majority down; with b up, it does not.
        _ = try await store.ingest(Self.input(agent: a, seq: 1, checks: checks, beats: beats(stride(from: 0, through: 60, by: 10), .up), receivedMs: Self.start + 60_500))
        _ = try await store.ingest(Self.input(agent: b, seq: 1, checks: checks, beats: beats(stride(from: 0, through: 60, by: 10), .up), receivedMs: Self.start + 60_500))
        _ = try await store.ingest(Self.input(
            agent: a, seq: 2, checks: checks, beats: beats(stride(from: 70, through: 150, by: 10), .down) + beats(stride(from: 160, through: 200, by: 10), .up),
            receivedMs: Self.start + 200_500
        ))
        let late = Self.input(agent: b, seq: 2, checks: checks, beats: beats(stride(from: 70, through: 200, by: 10), .up), receivedMs: Self.start + 200_600)
        var tracker = Self.tracker(store)
        tracker.beforeWriting = { _ = try await store.ingest(late) }
        _ = try await tracker.pass(nowMs: Self.start + 200_700)
        #expect(try await store.storedOutages(service: "svc-1", overlapping: OutageTracker.everything).count == 1, "derived without b's late minutes")
        tracker.beforeWriting = nil
        _ = try await tracker.pass(nowMs: Self.start + 201_000)
        let nowMs = Self.start + 201_000
        #expect(try await Self.oracle(store, catalog: ServiceCatalog(), nowMs: nowMs).isEmpty)
        #expect(try await store.storedOutages(service: "svc-1", overlapping: OutageTracker.everything).isEmpty, "b's successes undo it")
        #expect(try await store.outageChanges().isEmpty)
    }

    @Test("changes that come in while a derivation runs move the feed's start to the earliest of them", arguments: StoreEngine.available)
    func feedStartMoves(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        // On PostgreSQL a change waits in the log until merged: merged at once here, as a replica's
        // compaction would, so both engines' rows go through the same steps.
        func mark(_ fromMs: Int64, nowMs: Int64) async throws {
            try await store.markOutagesChanged(services: ["web"], fromMs: fromMs, nowMs: nowMs)
            _ = try await store.compactOutageChanges()
        }
        func clear(_ read: [OutageChange], nowMs: Int64) async throws {
            let writes = read.map { OutageWrite(service: $0.service, changes: OutageLedger.Changes(), alerts: [], clearing: $0) }
            _ = try await store.applyOutageWrites(writes, nowMs: nowMs)
        }
        try await mark(2_000, nowMs: 100)
        var read = try await store.outageChanges()
        #expect(read.map(\.fromMs) == [2_000])
        // Two changes after the read, the later one earlier in time.
        try await mark(9_000, nowMs: 200)
        try await mark(7_000, nowMs: 300)
        try await clear(read, nowMs: 400)
        read = try await store.outageChanges()
        #expect(read.map(\.fromMs) == [7_000], "the earliest change after the read, not the first change")
        #expect(read.map(\.markedMs) == [400])
        // A change before the start moves it back.
        try await mark(1_000, nowMs: 500)
        let older = try await store.outageChanges()
        #expect(older.map(\.fromMs) == [1_000])
        // Two derivations at once (a leader that has just lost the lock). The second read came after the
        // change at 1,000, but the feed keeps only the earliest change since the start last moved: the
        // start moves to 1,000 again, never past a change a derivation may not have seen.
        try await mark(8_000, nowMs: 600)
        let second = try await store.outageChanges()
        try await mark(6_000, nowMs: 700)
        try await clear(second, nowMs: 800)
        #expect(try await store.outageChanges().map(\.fromMs) == [1_000])
        // The first derivation clears last: the start moved after it read, so it leaves it alone (moving
        // it would make it 9,500 and lose the change at 6,000, which it did not see).
        try await mark(9_500, nowMs: 900)
        try await clear(older, nowMs: 1_000)
        #expect(try await store.outageChanges().map(\.fromMs) == [1_000], "a stale derivation moves nothing")
        // The next derivation moves it to the earliest change since the last move (9,500, and 6,500 after its read).
        let third = try await store.outageChanges()
        try await mark(6_500, nowMs: 1_020)
        try await clear(third, nowMs: 1_050)
        #expect(try await store.outageChanges().map(\.fromMs) == [6_500])
        try await clear(try await store.outageChanges(), nowMs: 1_100)
        #expect(try await store.outageChanges().isEmpty)
    }

    @Test("a check that moves to another service takes its outages along, raising nothing for what is over", arguments: StoreEngine.available)
    func movedCheck(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let agent = try await store.registerAgent(name: "edge", tokenHash: "h", nowMs: 0).id
        let tracker = Self.tracker(store)
        for input in Self.shortOutage(agent: agent) { _ = try await store.ingest(input) }
        let end = Self.start + 120_000
        #expect(try await tracker.pass(nowMs: end).map(\.type) == ["outage.opened", "outage.resolved"])
        // The agent restarts with the check under another service, and everything is up.
        let renamed = CheckDefinition(id: 1, name: "web", service: "storefront", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        _ = try await store.ingest(IngestBatch(
            agentID: agent,
            batch: Batch(sessionID: "s2", seq: 1, agentVersion: "t", dropped: 0, checks: [renamed], heartbeats: [
                Heartbeat(check: 1, timestampMs: end, status: .up, latencyUs: 1_000, code: 200, message: ""),
            ]),
            rawBody: [1], contentType: "application/x-protobuf", contentEncoding: "deflate",
            receivedMs: end + 200, oldestAcceptedMs: 0, newestAcceptedMs: 20_000_000_000
        ))
        #expect(Set(try await store.outageChanges().map(\.service)) == ["web", "storefront"])
        #expect(try await tracker.pass(nowMs: end + 1_000).isEmpty, "an outage that is over raises nothing when its check moves")
        #expect(try await store.storedOutages(service: "web", overlapping: OutageTracker.everything).isEmpty)
        let moved = try await store.storedOutages(service: "storefront", overlapping: OutageTracker.everything)
        #expect(moved.map(\.range) == [TimeRange(startMs: Self.start + 40_000, endMs: Self.start + 70_000)])
        #expect(try await store.outageChanges().isEmpty)
    }

    @Test("an outage opens in the pass after the batch that confirms it, and resolves in the pass after the recovery")
    func opensAndResolvesAsBatchesArrive() async throws {
        try await Self.withEdge { store, agent, tracker in try await Self.opensAndResolves(store, agent, tracker) }
    }

    static func opensAndResolves(_ store: any Store, _ agent: Int64, _ tracker: OutageTracker) async throws {
        var seen: [(Int, [String])] = []
        for (step, input) in Self.shortOutage(agent: agent).enumerated() {
            _ = try await store.ingest(input)
            let events = try await tracker.pass(nowMs: input.receivedMs)
            if !events.isEmpty { seen.append((step, events.map(\.type))) }
        }
        // The second failure (step 5) confirms it; the first success after (step 7) ends it.
        #expect(seen.map(\.0) == [5, 7])
        #expect(seen.map(\.1) == [["outage.opened"], ["outage.resolved"]])
        #expect(try await store.ongoingOutages().isEmpty)
    }

    @Test("heartbeats that cannot change an outage record no change")
    func quietIngestRecordsNothing() async throws {
        try await Self.withEdge { store, agent, tracker in try await Self.quietIngest(store, agent, tracker) }
    }

    /// A SQLite collector's store with one agent, `edge`, and a tracker.
    static func withEdge(_ body: (any Store, Int64, OutageTracker) async throws -> Void) async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let store = harness.collector.store
        let agent = try await store.registerAgent(name: "edge", tokenHash: "h", nowMs: 0).id
        try await body(store, agent, tracker(store))
    }

    static func quietIngest(_ store: any Store, _ agent: Int64, _ tracker: OutageTracker) async throws {
        let batches = Self.shortOutage(agent: agent)
        // The first batch is the check's first heartbeat: a change.
        _ = try await store.ingest(batches[0])
        #expect(try await store.outageChanges().map(\.service) == ["web"])
        _ = try await tracker.pass(nowMs: batches[0].receivedMs)
        // More successes in order: nothing to derive.
        for input in batches[1...3] { _ = try await store.ingest(input) }
        #expect(try await store.outageChanges().isEmpty)
        // A failure is a change.
        _ = try await store.ingest(batches[4])
        #expect(try await store.outageChanges().map(\.fromMs) == [Self.start + 40_000])
    }

    @Test("a location whose data comes late ends an outage its silence made, though its heartbeats all succeed")
    func lateLocationEndsOutage() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let store = harness.collector.store
        // Quorum "any": down only while every location that reports sees it down.
        var catalog = ServiceCatalog()
        var policy = ServicePolicy()
        policy.quorum = .any
        catalog.services["web"] = policy
        let tracker = Self.tracker(store, catalog: catalog)
        let check = Self.web
        let beats = Self.beats
        var ids: [String: Int64] = [:]
        for name in ["a", "b", "c"] { ids[name] = try await store.registerAgent(name: name, tokenHash: name, nowMs: 0).id }
        // c reports up twice, then its next batch is late; a and b see the service go down.
        _ = try await store.ingest(Self.input(agent: ids["c"]!, seq: 1, checks: [check], beats: beats(0...1, .up), receivedMs: Self.start + 10_500))
        for name in ["a", "b"] {
            _ = try await store.ingest(Self.input(agent: ids[name]!, seq: 1, checks: [check], beats: beats(0...0, .up), receivedMs: Self.start + 500))
            _ = try await store.ingest(Self.input(agent: ids[name]!, seq: 2, checks: [check], beats: beats(1...12, .down), receivedMs: Self.start + 120_500))
        }
        _ = try await tracker.pass(nowMs: Self.start + 121_000)
        #expect(try await store.storedOutages(service: "web", overlapping: OutageTracker.everything).count == 1, "c's silence leaves a and b")
        // c's late batch: every heartbeat up, in order after its last. It is a change all the same.
        _ = try await store.ingest(Self.input(agent: ids["c"]!, seq: 2, checks: [], beats: beats(2...12, .up), receivedMs: Self.start + 122_000))
        _ = try await tracker.pass(nowMs: Self.start + 122_500)
        let oracle = try await Self.oracle(store, catalog: catalog, nowMs: Self.start + 122_500)
        #expect(oracle.isEmpty, "c saw it up all along")
        #expect(try await store.storedOutages(service: "web", overlapping: OutageTracker.everything) == oracle)
    }

    static let web = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)

    /// Check 1's heartbeats at `steps` × 10 s from the start.
    static func beats(_ steps: ClosedRange<Int>, _ status: CheckStatus) -> [Heartbeat] {
        steps.map { step in
            Heartbeat(check: 1, timestampMs: start + Int64(step) * 10_000, status: status, latencyUs: 1_000, code: 0, message: status == .down ? "HTTP 503" : "")
        }
    }

    @Test("late data that moves an opened outage's start records the new opened as its continuation: one delivery each way")
    func movedStartIsNotNews() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let store = harness.collector.store
        var settings = AlertSettings()
        settings.hooks = [HookConfiguration(name: "ops", url: "http://127.0.0.1:1/hook")]
        let tracker = Self.tracker(store, settings: settings)
        var ids: [String: Int64] = [:]
        for name in ["a", "b", "c"] { ids[name] = try await store.registerAgent(name: name, tokenHash: name, nowMs: 0).id }
        func send(_ agent: String, _ seq: UInt64, _ beats: [Heartbeat]) async throws {
            _ = try await store.ingest(Self.input(agent: ids[agent]!, seq: seq, checks: seq == 1 ? [Self.web] : [], beats: beats, receivedMs: Self.start + 105_000))
        }
        // a fails from 10 s, b from 30 s; c said up at 0 s, and its next batch is late.
        try await send("a", 1, Self.beats(0...0, .up))
        try await send("a", 2, Self.beats(1...10, .down))
        try await send("b", 1, Self.beats(0...2, .up))
        try await send("b", 2, Self.beats(3...10, .down))
        try await send("c", 1, Self.beats(0...0, .up))
        _ = try await tracker.pass(nowMs: Self.start + 105_500)
        let first = try await store.storedOutages(service: "web", overlapping: OutageTracker.everything)
        #expect(first.map(\.range.startMs) == [Self.start + 30_000], "a and b of the two that report")
        // c failed from 20 s: with a, the majority was down from 20 s.
        try await send("c", 2, Self.beats(1...1, .up) + Self.beats(2...10, .down))
        _ = try await tracker.pass(nowMs: Self.start + 106_000)
        let moved = try await store.storedOutages(service: "web", overlapping: OutageTracker.everything)
        #expect(moved.map(\.range.startMs) == [Self.start + 20_000])
        #expect(moved == (try await Self.oracle(store, catalog: ServiceCatalog(), nowMs: Self.start + 106_000)))
        // The data runs out: resolved.
        _ = try await tracker.pass(nowMs: Self.start + 3_600_000)
        let alerts = try await store.alerts(sinceMs: 0, limit: 10).sorted { $0.id < $1.id }
        #expect(alerts.map(\.alert.type) == ["outage.opened", "outage.opened", "outage.resolved"])
        #expect(alerts.map(\.alert.silencedBy) == [nil, "continues outage web:\(Self.start + 30_000)", nil])
        #expect(alerts.map(\.deliveries.count) == [1, 0, 1], "one delivery when it opened, one when it resolved")
    }
}
