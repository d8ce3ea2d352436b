import VigilCore
import VigilWire

/// The events besides outages (DESIGN §8): burn rates, SLA breaches, ticket clocks, surges, agents and
/// reminders. Each has a stable dedupe key; conditions that come and go (a burn rate, a silent agent) are
/// tracked as episodes in the store, so one episode makes one event however often it is evaluated.
extension AlertEvaluator {
    /// `slo.burn_rate`: one event per service, severity and episode of firing rules.
    func burnRateEvents(_ reports: [SLAReporter.ServiceReport], nowMs: Int64) async throws -> [AlertEvent] {
        var events: [AlertEvent] = []
        for report in reports {
            let result = report.result
            for severity in [AlertSeverity.page, .ticket] {
                let key = "burn:\(result.service):\(severity.rawValue)"
                let firing = result.burnFirings.filter { $0.rule.severity == severity }
                guard let strongest = firing.max(by: { $0.longRate / $0.rule.factor < $1.longRate / $1.rule.factor }) else {
                    if try await store.alertEpisode(key: key) != nil { try await store.setAlertEpisode(key: key, sinceMs: nil) }
                    continue
                }
                var since = try await store.alertEpisode(key: key)
                if since == nil {
                    since = nowMs
                    try await store.setAlertEpisode(key: key, sinceMs: nowMs)
                }
                events.append(AlertEvent(
                    type: "slo.burn_rate", severity: severity, service: result.service, dedupeKey: "\(key):\(since!)", occurredMs: since!,
                    summary: "\(result.service) is burning its error budget at \(strongest.longRate.decimal(places: 1))× (\(strongest.rule.name) over \(strongest.rule.factor.decimal(places: 1))×)",
                    details: [
                        "rule": strongest.rule.name, "long_rate": strongest.longRate.decimal(places: 1),
                        "short_rate": strongest.shortRate.decimal(places: 1), "factor": strongest.rule.factor.decimal(places: 1),
                    ]
                ))
            }
        }
        return events
    }

    /// `sla.breached`: once per service and calendar period (or per episode below target, for a rolling
    /// window), when the target is missed or can no longer be reached (time method: even with no more
    /// downtime until the period ends).
    func slaEvents(_ periodReports: [SLAReporter.ServiceReport], maintenance: [MaintenanceWindow], nowMs: Int64) async throws -> [AlertEvent] {
        var events: [AlertEvent] = []
        for report in periodReports {
            let policy = catalog.policy(for: report.result.service)
            guard case .rolling = policy.period else {
                if let event = slaEvent(report, maintenance: maintenance, nowMs: nowMs, key: "sla:\(report.result.service):\(report.label):breached") {
                    events.append(event)
                }
                continue
            }
            let episode = "sla:\(report.result.service):rolling"
            guard report.result.met == false else {
                if try await store.alertEpisode(key: episode) != nil { try await store.setAlertEpisode(key: episode, sinceMs: nil) }
                continue
            }
            var since = try await store.alertEpisode(key: episode)
            if since == nil {
                since = nowMs
                try await store.setAlertEpisode(key: episode, sinceMs: nowMs)
            }
            if let event = slaEvent(report, maintenance: maintenance, nowMs: nowMs, key: "\(episode):\(since!):breached") { events.append(event) }
        }
        return events
    }

    func slaEvent(_ report: SLAReporter.ServiceReport, maintenance: [MaintenanceWindow], nowMs: Int64, key: String) -> AlertEvent? {
        do {
            let result = report.result
            guard let target = result.target, result.counted > 0 else { return nil }
            var reason: String?
            if result.met == false, result.evaluated.endMs >= result.window.endMs {
                reason = "missed"
            } else if case .time = result.method {
                let policy = catalog.policy(for: result.service)
                let future = SLAEvaluator.eligible(
                    in: TimeRange(startMs: result.evaluated.endMs, endMs: result.window.endMs), calendar: policy.calendar,
                    maintenance: maintenance.filter { $0.covers(service: result.service) }
                )
                let rest = RangeSet.total(future)
                if target.isGreaterThan(ratioOf: result.good + rest, to: result.counted + rest) { reason = "unreachable" }
            }
            guard let reason else { return nil }
            let availability = result.availability.map { Self.fixed($0 * 100, digits: 4) } ?? "-"
            return AlertEvent(
                type: "sla.breached", severity: .page, service: result.service,
                dedupeKey: key, occurredMs: nowMs,
                summary: reason == "missed"
                    ? "\(result.service) missed its \(target) SLA for \(report.label): \(availability)%"
                    : "\(result.service) can no longer reach its \(target) SLA for \(report.label) (now \(availability)%)",
                details: ["period": report.label, "reason": reason, "availability_percent": availability, "target_percent": target.description]
            )
        }
    }

    /// `ticket.sla_at_risk` and `ticket.sla_breached`: once per ticket and metric. Reads what `read`
    /// names (``TicketSchedule``) and returns, beside the events, each ticket read as the schedule
    /// records it.
    func ticketEvents(_ read: TicketSchedule.Read, nowMs: Int64) async throws -> ([AlertEvent], [TicketSchedule.Evaluated]) {
        let desk = TicketDesk(store: store, catalog: catalog)
        var tickets: [Ticket]
        switch read {
        case .allOpen:
            tickets = try await store.tickets(created: TimeRange(startMs: Int64.min / 2, endMs: Int64.max / 2), openOnly: true)
        case .changes(let since, let due):
            tickets = try await store.tickets(updatedSince: since)
            let updated = Set(tickets.map(\.externalID))
            for id in due where !updated.contains(id) {
                if let ticket = try await store.ticket(externalID: id) { tickets.append(ticket) }
            }
        }
        var events: [AlertEvent] = []
        var evaluated: [TicketSchedule.Evaluated] = []
        for ticket in tickets {
            guard !ticket.status.isDone else {
                evaluated.append(TicketSchedule.Evaluated(externalID: ticket.externalID, open: false, nextChangeMs: nil))
                continue
            }
            let (_, clocks) = desk.clocks(ticket, nowMs: nowMs)
            evaluated.append(TicketSchedule.Evaluated(externalID: ticket.externalID, open: true, nextChangeMs: clocks.compactMap(\.nextChangeMs).min()))
            for clock in clocks where clock.state == .breached || clock.atRisk {
                let breached = clock.state == .breached
                let service = ticket.tags.first
                events.append(AlertEvent(
                    type: breached ? "ticket.sla_breached" : "ticket.sla_at_risk", severity: breached ? .page : .ticket, service: service,
                    dedupeKey: "ticket:\(ticket.externalID):\(clock.metric.rawValue):\(breached ? "breached" : "at_risk")",
                    occurredMs: nowMs,
                    summary: "ticket \(ticket.externalID) (\(ticket.priority.rawValue)) \(breached ? "breached" : "is at risk of breaching") its \(clock.metric.rawValue.replacingOccurrences(of: "_", with: " ")) target"
                        + (clock.dueMs.map { ", due \(ISOTime.format(ms: $0))" } ?? ""),
                    details: ["ticket": ticket.externalID, "metric": clock.metric.rawValue, "title": ticket.title, "organisation": ticket.organisation]
                ))
            }
        }
        return (events, evaluated)
    }

    /// `tickets.surge`: once per tag and surge episode.
    func surgeEvents(nowMs: Int64) async throws -> [AlertEvent] {
        let settings = catalog.tickets.surge
        let recent = try await store.tickets(created: TimeRange(startMs: nowMs - settings.windowMs - settings.baselineMs, endMs: nowMs + 1), openOnly: false)
        let desk = TicketDesk(store: store, catalog: catalog)
        let surges = TicketCorrelation.surges(in: recent.map(desk.canonicalTags), settings: settings, nowMs: nowMs)
        var events: [AlertEvent] = []
        for surge in surges {
            let key = "surge:\(surge.tag)"
            var since = try await store.alertEpisode(key: key)
            if since == nil {
                since = nowMs
                try await store.setAlertEpisode(key: key, sinceMs: nowMs)
            }
            events.append(AlertEvent(
                type: "tickets.surge", severity: .ticket, service: surge.tag, dedupeKey: "\(key):\(since!)", occurredMs: since!,
                summary: "\(surge.recent) new tickets for \(surge.tag) in the last \(DurationText.format(milliseconds: settings.windowMs)) (baseline \(Self.fixed(surge.baselinePerWindow)))",
                details: ["tag": surge.tag, "recent": String(surge.recent)]
            ))
        }
        for tag in Set(recent.flatMap(\.tags)) where !surges.contains(where: { $0.tag == tag }) {
            if try await store.alertEpisode(key: "surge:\(tag)") != nil { try await store.setAlertEpisode(key: "surge:\(tag)", sinceMs: nil) }
        }
        return events
    }

    /// `agent.silent` and `agent.recovered`: one of each per silence.
    func agentEvents(nowMs: Int64) async throws -> [AlertEvent] {
        var events: [AlertEvent] = []
        for agent in try await store.agents() {
            guard let seen = agent.lastSeenMs else { continue }
            let key = "agent:\(agent.name)"
            let silentSince = try await store.alertEpisode(key: key)
            if nowMs - seen > settings.agentSilentAfterMs {
                if silentSince == nil { try await store.setAlertEpisode(key: key, sinceMs: seen) }
                events.append(AlertEvent(
                    type: "agent.silent", severity: .ticket, service: nil, dedupeKey: "\(key):silent:\(silentSince ?? seen)", occurredMs: nowMs,
                    summary: "agent \(agent.name) has sent nothing since \(ISOTime.format(ms: silentSince ?? seen))",
                    details: ["agent": agent.name, "last_seen": ISOTime.format(ms: seen)]
                ))
            } else if let silentSince {
                try await store.setAlertEpisode(key: key, sinceMs: nil)
                events.append(AlertEvent(
                    type: "agent.recovered", severity: .ticket, service: nil, dedupeKey: "\(key):recovered:\(silentSince)", occurredMs: seen,
                    summary: "agent \(agent.name) is back (silent since \(ISOTime.format(ms: silentSince)))",
                    details: ["agent": agent.name, "last_seen": ISOTime.format(ms: seen)]
                ))
            }
        }
        return events
    }

    /// `certificate.expiring`: a TLS check whose newest probe found the certificate under its warning
    /// (ticket) or critical (page) number of days, or expired; once per check, certificate and level.
    func certificateEvents(nowMs: Int64) async throws -> [AlertEvent] {
        var events: [AlertEvent] = []
        for check in try await store.checks(kind: "tls") {
            guard let last = check.lastHeartbeat, last.status == .degraded || last.status == .down,
                  last.message.hasPrefix("certificate expires in") || last.message.hasPrefix("certificate expired on")
            else { continue }
            let expiry = last.message.split(whereSeparator: { $0 == "(" || $0 == ")" || $0 == " " }).last.map(String.init) ?? ""
            let severity: AlertSeverity = last.status == .down ? .page : .ticket
            let name = "\(check.agentName)/\(check.definition.name)"
            events.append(AlertEvent(
                type: "certificate.expiring", severity: severity, service: check.definition.service,
                dedupeKey: "cert:\(name):\(expiry):\(severity.rawValue)", occurredMs: last.timestampMs,
                summary: "\(check.definition.target): \(last.message)",
                details: ["check": name, "target": check.definition.target, "days_left": String(last.code), "expires": expiry]
            ))
        }
        return events
    }

    /// `outage.reminder`: every `reminderEvery` while an opened outage is still going on.
    func reminderEvents(_ outages: [Outage], nowMs: Int64) async throws -> [AlertEvent] {
        guard let every = settings.reminderEveryMs else { return [] }
        var events: [AlertEvent] = []
        for outage in outages where outage.ongoing && outage.range.endMs >= nowMs {
            guard let opened = AlertEvent.outageEvents(outage).opened, try await store.hasAlert(dedupeKey: opened.dedupeKey) else { continue }
            let count = (nowMs - opened.occurredMs) / every
            guard count >= 1 else { continue }
            events.append(AlertEvent(
                type: "outage.reminder", severity: .page, service: outage.service, dedupeKey: "outage:\(outage.id):reminder:\(count)",
                occurredMs: opened.occurredMs + count * every,
                summary: "\(outage.service) is still down after \(DurationText.format(milliseconds: nowMs - outage.range.startMs))",
                details: opened.details
            ))
        }
        return events
    }

    static func fixed(_ value: Double, digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
