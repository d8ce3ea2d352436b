import Logging
import ServiceLifecycle
import VigilCore

/// Turns the SLA engine's outages into alert events in the outbox, every `evaluateEvery` (DESIGN §8).
///
/// Each event has a stable dedupe key, so an outage makes one `outage.opened` and one `outage.resolved`
/// however often it is evaluated and across restarts. Opened is raised for an outage that is still going
/// on (or ended in the last `recentMs`, so a short one between two evaluations is not missed), resolved
/// only after its opened; outages in maintenance raise nothing.
struct AlertEvaluator: Service {
    let store: any AlertStore & TicketStore & CredentialStore & ReportStore
    let catalog: ServiceCatalog
    let settings: AlertSettings
    let logger: Logger
    /// Outages that ended this recently still get their events. Default 10 minutes.
    var recentMs: Int64 = 600_000
    /// The rules that change slowly (SLA periods, ticket clocks, surges, agents, certificates) run at most
    /// this often; outages and burn rates run every pass. Default 30 s.
    var slowEveryMs: Int64 = 30_000
    /// Passes run only while this replica leads. Default: always (a lone collector).
    var leadership = Leadership(leading: true)
    /// How long minute rollups are kept (`minute_rollup_retention`); older minutes are counted from the
    /// raw batches. Default 35 days.
    var minuteRollupRetentionMs: Int64 = 35 * 86_400_000

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var lastSlow: Int64?
            while !Task.isCancelled {
                if leadership.isLeader {
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
        // No rule reads latency: probe rollups only where an SLA counts probes (issue 19).
        let reports = try await reporter.evaluateAll(SLAReporter.Request(window: .rolling(ms: 86_400_000), probes: .methodOnly), nowMs: nowMs)
        let silences = try await store.silences(activeAfter: nowMs)
        var stored: [AlertEvent] = []
        for outage in reports.flatMap(\.result.outages) {
            let (opened, resolved) = AlertEvent.outageEvents(outage)
            if let opened, outage.ongoing || outage.range.endMs >= nowMs - recentMs,
               try await enqueue(opened, silencedBy: silence(for: opened, in: silences, nowMs: nowMs), nowMs: nowMs) {
                stored.append(opened)
            }
            if let resolved, let opened, let openedState = try await store.alertState(dedupeKey: opened.dedupeKey) {
                // The resolve of a silenced open is silenced too: no orphan "resolved".
                let silencedBy = openedState.silencedBy ?? silence(for: resolved, in: silences, nowMs: nowMs)
                if try await enqueue(resolved, silencedBy: silencedBy, nowMs: nowMs) { stored.append(resolved) }
            }
        }
        var others = try await burnRateEvents(reports, nowMs: nowMs)
        others += try await reminderEvents(reports.flatMap(\.result.outages), nowMs: nowMs)
        if includeSlowRules {
            let periods = try await reporter.evaluateAll(SLAReporter.Request(probes: .methodOnly), nowMs: nowMs)
            others += try await slaEvents(periods, maintenance: try await reporter.maintenance(), nowMs: nowMs)
            others += try await ticketEvents(nowMs: nowMs)
            others += try await surgeEvents(nowMs: nowMs)
            others += try await agentEvents(nowMs: nowMs)
            others += try await certificateEvents(nowMs: nowMs)
        }
        for event in others where try await enqueue(event, silencedBy: silence(for: event, in: silences, nowMs: nowMs), nowMs: nowMs) {
            stored.append(event)
        }
        return stored
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
