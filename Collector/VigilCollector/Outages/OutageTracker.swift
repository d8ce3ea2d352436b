import Logging
import ServiceLifecycle
import VigilCore

/// Keeps the stored outages equal to what the intervals say, from the change feed ingest writes in the
/// same transaction as the heartbeats (issue 20), and puts `outage.opened` / `outage.resolved` in the
/// alert outbox in the same transaction as the outage they belong to.
///
/// A pass derives each changed service again (``OutageLedger``), and each ongoing outage whose data has
/// run out (its end has passed with no newer heartbeat). The change rows stay until their derivation is
/// committed, so nothing is missed however long no replica led: the first pass of a new leader derives
/// what came in meanwhile. A pass runs at most ``coalesceMs`` after a commit recorded a change (this
/// process's, or on PostgreSQL another replica's, which the store follows: ``OutageStore/followOutageChanges()``)
/// and every ``pollEveryMs`` in any case (data running out, a lost notification); its writes are one
/// transaction.
public struct OutageTracker: Service {
    let store: any OutageStore & HistoryStore & MaintenanceStore & AlertStore
    let catalog: ServiceCatalog
    let settings: AlertSettings
    let logger: Logger
    /// Passes run only while this replica leads. Default: always (a lone collector).
    var leadership = Leadership(leading: true)
    /// An outage that ended more than this before its change was committed raises no alert: what an
    /// agent's backlog or a leader's return brings in is still news for a day, older outages are history.
    /// Imports and the first derivation after an upgrade are marked as history
    /// (``OutageChange/historyMarkMs``): they alert only for outages still going on. Default 24 hours.
    var recentMs: Int64 = 86_400_000
    /// How far before a change the runs are read (``OutageLedger/lookbackMs``). Default 2 minutes.
    var lookbackMs = OutageLedger.lookbackMs
    /// How often the loop looks for a local commit's changes. Default 50 ms.
    var wakeEvery: Duration = .milliseconds(50)
    /// Passes are at least this far apart, so changes coming in all the time are derived together.
    /// Default 200 ms.
    var coalesceMs: Int64 = 200
    /// How often a pass runs without one. Default 1 s.
    var pollEveryMs: Int64 = 1_000
    /// How often a replica that does not lead reloads the outages' ends its ingest filters with.
    /// Default 5 s.
    var refreshEveryMs: Int64 = 5_000
    /// Runs in each pass after the derivations and before their writes: tests commit batches there,
    /// which the pass did not see and the next one must. Default none.
    var beforeWriting: (@Sendable () async throws -> Void)?

    public init(
        store: any OutageStore & HistoryStore & MaintenanceStore & AlertStore, catalog: ServiceCatalog, settings: AlertSettings,
        logger: Logger, leadership: Leadership = Leadership(leading: true)
    ) {
        self.store = store
        self.catalog = catalog
        self.settings = settings
        self.logger = logger
        self.leadership = leadership
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await store.followOutageChanges() }
                try await loop()
                group.cancelAll()
            }
        }
    }

    private func loop() async throws {
        var lastPass = Int64.min / 2
        var lastRefresh = WallClock.nowMs()
        while !Task.isCancelled {
            let now = WallClock.nowMs()
            do {
                if leadership.isLeader {
                    if now - lastPass >= pollEveryMs || (now - lastPass >= coalesceMs && store.outageFeed.takeChanged()) {
                        _ = store.outageFeed.takeChanged()
                        lastPass = now
                        try await pass(nowMs: now)
                    }
                } else if now - lastRefresh >= refreshEveryMs {
                    lastRefresh = now
                    store.outageFeed.load(latestEnds: try await store.latestOutageEnds())
                }
            } catch {
                if !Task.isCancelled { logger.error("outage derivation failed", metadata: ["error": "\(error)"]) }
            }
            try await Task.sleep(for: wakeEvery)
        }
    }

    /// What one derivation of a service covers.
    struct Work {
        /// The change row derived (cleared once the result is committed); `nil` for an outage whose data ran out.
        var change: OutageChange?
        var fromMs: Int64
        /// When the oldest change derived was committed (for ``recentMs``).
        var changedAtMs: Int64
    }

    /// Derives every changed service and every ongoing outage whose data ran out; returns the alert
    /// events newly stored.
    @discardableResult
    public func pass(nowMs: Int64) async throws -> [AlertEvent] {
        var work: [String: Work] = [:]
        let changes = try await store.outageChanges(deriving: true)
        defer { store.outageFeed.endDeriving(changes.map(\.service)) }
        for change in changes {
            work[change.service] = Work(change: change, fromMs: change.fromMs, changedAtMs: change.markedMs)
        }
        store.outageFeed.noteChanged(changes.map(\.service))
        for outage in try await store.ongoingOutages() where outage.range.endMs < nowMs && work[outage.service] == nil {
            work[outage.service] = Work(change: nil, fromMs: outage.range.startMs, changedAtMs: nowMs)
        }
        guard !work.isEmpty else { return [] }
        let context = try await Context(store: store, catalog: catalog, nowMs: nowMs)
        var writes: [OutageWrite] = []
        var events: [String: AlertEvent] = [:]
        for service in work.keys.sorted() {
            let (write, raised) = try await derive(service: service, work[service]!, context: context)
            if let write { writes.append(write) }
            events.merge(raised) { $1 }
        }
        try await beforeWriting?()
        // One transaction for the pass: ingest shares the writer.
        let written = try await store.applyOutageWrites(writes, nowMs: nowMs)
        let hooks = Dictionary(writes.flatMap(\.alerts).map { ($0.alert.dedupeKey, $0.hooks.count) }, uniquingKeysWith: { $1 })
        for alert in written {
            logger.notice("alert", metadata: [
                "type": "\(alert.type)", "service": "\(alert.service ?? "-")",
                "hooks": "\(alert.silencedBy == nil ? hooks[alert.dedupeKey] ?? 0 : 0)", "silenced": "\(alert.silencedBy ?? "no")",
            ])
        }
        return written.compactMap { events[$0.dedupeKey] }
    }

    /// What every derivation of a pass reads once.
    struct Context {
        var maintenance: [MaintenanceWindow]
        var silences: [Silence]
        var nowMs: Int64

        init(store: any MaintenanceStore & AlertStore, catalog: ServiceCatalog, nowMs: Int64) async throws {
            maintenance = catalog.maintenance + (try await store.maintenanceWindows().map(\.window))
            silences = try await store.silences(activeAfter: nowMs)
            self.nowMs = nowMs
        }
    }

    /// What a rebuild did.
    public struct RebuildSummary: Sendable, Hashable {
        public var services = 0
        public var stored = 0
        public var added = 0
        public var changed = 0
        public var removed = 0
    }

    /// Derives every service's outages again over its whole history, raising no alert: the repair
    /// for stored outages (`vigil-collector rebuild-outages`), and what the tests compare the live path
    /// with.
    public func rebuild(nowMs: Int64) async throws -> RebuildSummary {
        let read = try await store.outageChanges(deriving: true)
        defer { store.outageFeed.endDeriving(read.map(\.service)) }
        let changes = Dictionary(read.map { ($0.service, $0) }, uniquingKeysWith: { $1 })
        let services = Set(try await store.services()).union(catalog.services.keys).union(try await store.latestOutageEnds().keys)
        let context = try await Context(store: store, catalog: catalog, nowMs: nowMs)
        var summary = RebuildSummary()
        for service in services.sorted() {
            let before = try await store.storedOutages(service: service, overlapping: Self.everything)
            let write = try await plan(service: service, Work(change: changes[service], fromMs: Self.everything.startMs, changedAtMs: nowMs), context: context)
            try await store.applyOutageWrites([OutageWrite(service: service, changes: write.changes, alerts: [], clearing: changes[service])], nowMs: nowMs)
            let starts = Set(before.map(\.range.startMs))
            summary.services += 1
            summary.added += write.changes.upserts.filter { !starts.contains($0.range.startMs) }.count
            summary.changed += write.changes.upserts.filter { starts.contains($0.range.startMs) }.count
            summary.removed += write.changes.deletions.count
            summary.stored += write.derived.count
        }
        return summary
    }

    /// All of time, as far as outages go.
    static let everything = TimeRange(startMs: -(Int64(1) << 62), endMs: Int64(1) << 62)

    /// A derivation's result before it is written.
    struct Plan {
        var changes: OutageLedger.Changes
        var derived: [Outage]
        /// The stored outages the derivation compared with.
        var stored: [Outage]
    }

    /// Reads what a change needs and derives the service's outages over it.
    ///
    /// The span starts ``lookbackMs`` before the change and moves back until nothing before it can
    /// change what is found after it: no stored outage reaches across its start, and no check's first
    /// streak may go on before it (``OutageLedger/unsettledStart(runs:spanStartMs:confirmation:)``).
    /// Every check is then in a known state at the start, so the outages found after it are those the
    /// whole history gives.
    func plan(service: String, _ work: Work, context: Context) async throws -> Plan {
        let policy = catalog.policy(for: service)
        let checks = try await store.checks(service: service)
        var start = work.fromMs - lookbackMs
        var stored: [Outage] = []
        var runs: [Int64: [StateInterval]] = [:]
        while true {
            let span = TimeRange(startMs: start, endMs: Self.everything.endMs)
            stored = try await store.storedOutages(service: service, overlapping: span)
            let wanted = OutageLedger.spanStart(fromMs: work.fromMs, stored: stored, lookbackMs: lookbackMs)
            if wanted < start {
                start = wanted
                continue
            }
            runs = checks.isEmpty ? [:] : try await store.intervals(checkIDs: checks.map(\.id), overlapping: span)
            let unsettled = runs.values.compactMap {
                OutageLedger.unsettledStart(runs: $0, spanStartMs: start, confirmation: policy.confirmation)
            }.min()
            guard let unsettled, unsettled > Self.everything.startMs else { break }
            start = max(Self.everything.startMs, unsettled - lookbackMs)
        }
        let locations = checks.map { check in
            LocationHistory(name: "\(check.agentName)/\(check.definition.name)", intervalMs: Int64(check.definition.intervalMs), runs: runs[check.id] ?? [])
        }
        let dataEnd = runs.values.compactMap { $0.last?.endMs }.max() ?? start
        let span = TimeRange(startMs: start, endMs: max(context.nowMs + 1, dataEnd))
        let history = ServiceHistory(locations: locations, confirmation: policy.confirmation, quorum: policy.quorum, span: span)
        let derived = history.outages(
            service: service, span: span, maintenance: context.maintenance.filter { $0.covers(service: service) }, nowMs: context.nowMs
        )
        return Plan(changes: OutageLedger.reconcile(stored: stored, derived: derived, spanStartMs: start), derived: derived, stored: stored)
    }

    /// Derives one service: what to write (`nil` when nothing), with the alert events it would raise.
    func derive(service: String, _ work: Work, context: Context) async throws -> (OutageWrite?, [String: AlertEvent]) {
        let plan = try await plan(service: service, work, context: context)
        guard !plan.changes.isEmpty || work.change != nil else { return (nil, [:]) }
        var alerts: [OutageWrite.Alert] = []
        var events: [String: AlertEvent] = [:]
        for outage in plan.changes.upserts {
            var openedSilence: String?
            for event in OutageLedger.events(for: outage, changedAtMs: work.changedAtMs, recentMs: recentMs) {
                var stored = AlertBody.stored(event)
                var after: String?
                if event.type == "outage.opened" {
                    if try await store.alertState(dedupeKey: event.dedupeKey) == nil,
                       let predecessor = try await alertedPredecessor(of: outage, in: plan) {
                        // Later data moved the start of an outage already opened: the same outage, not news.
                        stored.silencedBy = Self.continuation + predecessor.id
                    } else {
                        stored.silencedBy = silence(for: event, in: context)
                    }
                    openedSilence = stored.silencedBy
                } else {
                    // The resolve of a silenced open is silenced too: no orphan "resolved".
                    after = "outage:\(outage.id):opened"
                    let opened = try await store.alertState(dedupeKey: after!)
                    stored.silencedBy = try await rootSilence(opened?.silencedBy ?? openedSilence) ?? silence(for: event, in: context)
                }
                alerts.append(OutageWrite.Alert(alert: stored, hooks: settings.hooks.filter { $0.routes(event) }.map(\.name), after: after))
                events[event.dedupeKey] = event
            }
        }
        return (OutageWrite(service: service, changes: plan.changes, alerts: alerts, clearing: work.change), events)
    }

    /// What an opened alert's `silenced_by` says when it continues an outage opened before under another
    /// start (`continues outage api:1795…`): recorded, not delivered.
    static let continuation = "continues outage "

    /// A stored outage this derivation removes, overlapping `outage`, whose opened alert is stored.
    func alertedPredecessor(of outage: Outage, in plan: Plan) async throws -> Outage? {
        let removed = Set(plan.changes.deletions)
        for old in plan.stored where removed.contains(old.range.startMs) && old.range.startMs < outage.range.endMs
            && outage.range.startMs < max(old.range.endMs, old.range.startMs + 1) {
            if try await store.alertState(dedupeKey: "outage:\(old.id):opened") != nil { return old }
        }
        return nil
    }

    /// The silence of the first opened alert of a chain of continued outages.
    func rootSilence(_ silencedBy: String?) async throws -> String? {
        var current = silencedBy
        for _ in 0..<16 {
            guard let text = current, text.hasPrefix(Self.continuation) else { return current }
            current = try await store.alertState(dedupeKey: "outage:\(text.dropFirst(Self.continuation.count)):opened")?.silencedBy
        }
        return current
    }

    /// The silence matching `event` now, as `silence <id>: reason`.
    func silence(for event: AlertEvent, in context: Context) -> String? {
        context.silences.first { $0.matches(type: event.type, severity: event.severity.rawValue, service: event.service, atMs: context.nowMs) }
            .map { "silence \($0.id): \($0.reason)" }
    }
}
