import Logging
import Synchronization
import ServiceLifecycle
import VigilCore

/// Raises the alert events that time and the SLA figures decide, every `evaluateEvery` (DESIGN §8):
/// burn rates, SLA breaches, ticket clocks, surges, agents, certificates and outage reminders. Outages
/// themselves are stored facts: ``OutageTracker`` raises `outage.opened` and `outage.resolved` in the
/// transaction that stores them (issue 20).
///
/// Each event has a stable dedupe key, so a condition makes one event however often it is evaluated
/// and across restarts.
///
/// Burn rates and SLA periods are evaluated incrementally (``RuleSchedule``): a pass evaluates the
/// services the change feed reported since the last one and those whose figures can change with time
/// alone; a service whose last figures held nothing bad waits for new data. The first pass, a pass after
/// leadership was regained and a pass after the maintenance windows changed evaluate every service.
/// Ticket clocks likewise (``TicketSchedule``): a pass reads the tickets changed since the last one and
/// those whose next clock change has come.
struct AlertEvaluator: Service {
    let store: any AlertStore & TicketStore & CredentialStore & ReportStore & OutageStore
    let catalog: ServiceCatalog
    let settings: AlertSettings
    let logger: Logger
    /// The rules that change slowly (SLA periods, ticket clocks, surges, agents, certificates) run at most
    /// this often; burn rates and reminders run every pass. Default 30 s.
    var slowEveryMs: Int64 = 30_000
    /// Passes run only while this replica leads. Default: always (a lone collector).
    var leadership = Leadership(leading: true)
    /// How long minute rollups are kept (`minute_rollup_retention`); older minutes are counted from the
    /// raw batches. Default 35 days.
    var minuteRollupRetentionMs: Int64 = 35 * 86_400_000
    /// Which services each pass evaluates; kept across passes of this evaluator.
    let schedule = Shared(RuleSchedule())
    /// Which tickets each pass evaluates; kept across passes of this evaluator.
    let ticketSchedule = Shared(TicketSchedule())
    /// How long a change keeps its service evaluated on every pass: the collector's `max_clock_skew`,
    /// since a heartbeat can be stamped that far after it is stored. Default 5 minutes.
    var settleMs: Int64 = 5 * 60_000

    /// State shared by the evaluator's copies (a Service is a value): its schedules.
    final class Shared<Value: Sendable>: Sendable {
        private let state: Mutex<Value>

        init(_ value: sending Value) {
            state = Mutex(value)
        }

        func withLock<T>(_ body: (inout Value) -> T) -> T {
            state.withLock { body(&$0) }
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var lastSlow: Int64?
            while !Task.isCancelled {
                if !leadership.isLeader {
                    // Another replica evaluated meanwhile and the feed went to it: start over when leading again.
                    schedule.withLock { $0.reset() }
                    ticketSchedule.withLock { $0.reset() }
                    lastSlow = nil
                } else {
                    let now = WallClock.nowMs()
                    let slow = lastSlow.map { now - $0 >= slowEveryMs } ?? true
                    do {
                        try await evaluate(nowMs: now, includeSlowRules: slow)
                        if slow { lastSlow = now }
                    } catch {
                        if !Task.isCancelled { logger.error("alert evaluation failed", metadata: ["error": "\(error)"]) }
                    }
                }
                try await Task.sleep(for: .milliseconds(settings.evaluateEveryMs))
            }
        }
    }

    /// One pass: returns the events newly stored.
    @discardableResult
    func evaluate(nowMs: Int64, includeSlowRules: Bool = true) async throws -> [AlertEvent] {
        let reporter = SLAReporter(store: store, catalog: catalog, minuteRollupRetentionMs: minuteRollupRetentionMs)
        let maintenance = try await reporter.maintenance()
        let changed = store.outageFeed.takeRuleChanges()
        schedule.withLock { schedule in
            schedule.settleMs = settleMs
            schedule.maintenance(maintenance)
            schedule.changed(changed, nowMs: nowMs)
        }
        let silences = try await store.silences(activeAfter: nowMs)
        var stored: [AlertEvent] = []
        var ticketPass: (TicketSchedule.Read, [TicketSchedule.Evaluated])?
        // No rule reads latency: probe rollups only where an SLA counts probes (issue 19).
        var others = try await scheduled(.burnRate, reporter, SLAReporter.Request(window: .rolling(ms: 86_400_000), probes: .methodOnly), nowMs: nowMs) {
            try await burnRateEvents($0, nowMs: nowMs)
        }
        others += try await reminderEvents(try await store.ongoingOutages(), nowMs: nowMs)
        if includeSlowRules {
            others += try await scheduled(.period, reporter, SLAReporter.Request(probes: .methodOnly), nowMs: nowMs) {
                try await slaEvents($0, maintenance: maintenance, nowMs: nowMs)
            }
            let read = ticketSchedule.withLock { schedule in
                schedule.settleMs = settleMs
                return schedule.plan(nowMs: nowMs)
            }
            let (events, evaluated) = try await ticketEvents(read, nowMs: nowMs)
            others += events
            ticketPass = (read, evaluated)
            others += try await surgeEvents(nowMs: nowMs)
            others += try await agentEvents(nowMs: nowMs)
            others += try await certificateEvents(nowMs: nowMs)
        }
        for event in others where try await enqueue(event, silencedBy: silence(for: event, in: silences, nowMs: nowMs), nowMs: nowMs) {
            stored.append(event)
        }
        // Only now, with their events stored, do the tickets read wait for their next instant.
        if let (read, evaluated) = ticketPass {
            ticketSchedule.withLock { $0.finish(read, evaluated: evaluated, nowMs: nowMs) }
        }
        return stored
    }

    /// Evaluates what ``schedule`` says is due for `rule` and turns the reports into events; records
    /// the reports once the events are made, or puts the services back when anything failed.
    func scheduled(
        _ rule: RuleSchedule.Rule, _ reporter: SLAReporter, _ request: SLAReporter.Request, nowMs: Int64,
        events: ([SLAReporter.ServiceReport]) async throws -> [AlertEvent]
    ) async throws -> [AlertEvent] {
        let due = schedule.withLock { $0.startPass(rule, nowMs: nowMs) }
        do {
            let reports: [SLAReporter.ServiceReport]
            switch due {
            case .all: reports = try await reporter.evaluateAll(request, nowMs: nowMs)
            case .only(let services) where services.isEmpty: reports = []
            case .only(let services): reports = try await reporter.evaluateAll(request, nowMs: nowMs, only: services)
            }
            let made = try await events(reports)
            let evaluated = reports.map { RuleSchedule.Evaluated(result: $0.result, policy: catalog.policy(for: $0.result.service)) }
            let counts = schedule.withLock { schedule in
                schedule.finishPass(rule, due: due, results: evaluated, nowMs: nowMs)
                return schedule.counts(rule)
            }
            logger.debug("alert rule pass", metadata: [
                "rule": "\(rule)", "evaluated": "\(reports.count)", "hot": "\(counts.hot)", "quiet": "\(counts.quiet)",
                "all": "\(due == .all)", "ms": "\(WallClock.nowMs() - nowMs)",
            ])
            return made
        } catch {
            schedule.withLock { $0.abandonPass(rule) }
            throw error
        }
    }

    /// The silence matching `event` now, as `silence <id>: reason`.
    func silence(for event: AlertEvent, in silences: [Silence], nowMs: Int64) -> String? {
        silences.first { $0.matches(type: event.type, severity: event.severity.rawValue, service: event.service, atMs: nowMs) }
            .map { "silence \($0.id): \($0.reason)" }
    }

    /// Stores the event once with a delivery per routed hook (none when silenced); `true` when it was new.
    func enqueue(_ event: AlertEvent, silencedBy: String?, nowMs: Int64) async throws -> Bool {
        let hooks = settings.hooks.filter { $0.routes(event) }.map(\.name)
        var alert = AlertBody.stored(event)
        alert.silencedBy = silencedBy
        guard try await store.enqueueAlert(alert, hooks: hooks, nowMs: nowMs) != nil else { return false }
        logger.notice("alert", metadata: [
            "type": "\(event.type)", "service": "\(event.service ?? "-")", "hooks": "\(silencedBy == nil ? hooks.count : 0)",
            "silenced": "\(silencedBy ?? "no")",
        ])
        return true
    }
}
