import VigilCore
import VigilWire

extension TicketDesk {
    /// The ticket with alias tags replaced by the service they name, so a surge counts per service.
    func canonicalTags(_ ticket: Ticket) -> Ticket {
        var copy = ticket
        copy.tags = ticket.tags.map { tag in catalog.aliases.first { $0.value.contains(tag) }?.key ?? tag }
        return copy
    }

    func satisfactionInfo(good: Int, rated: Int, period: String?) -> SatisfactionInfo {
        SatisfactionInfo(
            period: period, good: good, rated: rated, share: rated > 0 ? Double(good) / Double(rated) : nil,
            targetPercent: Double(settings.satisfactionTarget.ppm) / 10_000,
            met: rated > 0 ? !settings.satisfactionTarget.isGreaterThan(ratioOf: Int64(good), to: Int64(rated)) : nil
        )
    }

    /// The ticket side of a report over `window`: achievement per priority, breaches, satisfaction, the
    /// outages of the window with their tickets, and surges now.
    public func report(window: TimeRange, nowMs: Int64) async throws -> TicketReportInfo {
        let tickets = try await store.tickets(created: window, openOnly: false)
        let outages = try await outages(for: window, nowMs: nowMs)
        var byPriority: [TicketPriority: (count: Int, first: [Int], resolution: [Int])] = [:]
        var breaches: [TicketBreachInfo] = []
        var linked: [String: [Ticket]] = [:]
        for ticket in tickets {
            let (_, clocks) = clocks(ticket, nowMs: nowMs)
            var entry = byPriority[ticket.priority] ?? (0, [0, 0, 0], [0, 0, 0])
            entry.count += 1
            for clock in clocks {
                let slot = clock.state == .met ? 0 : clock.state == .breached ? 1 : 2
                switch clock.metric {
                case .firstResponse: entry.first[slot] += 1
                case .resolution: entry.resolution[slot] += 1
                case .nextReply: break
                }
                if clock.state == .breached {
                    breaches.append(TicketBreachInfo(
                        ticket: ticket.externalID, title: ticket.title, priority: ticket.priority.rawValue, metric: clock.metric.rawValue,
                        dueAt: clock.dueMs.map { ISOTime.format(ms: $0) }, overBySeconds: Double(-clock.remainingMs) / 1_000
                    ))
                }
            }
            byPriority[ticket.priority] = entry
            if let outage = outage(of: ticket, among: outages, nowMs: nowMs) { linked[outage.id, default: []].append(ticket) }
        }
        func achievement(_ counts: [Int]) -> AchievementInfo {
            AchievementInfo(met: counts[0], breached: counts[1], running: counts[2], achievement: counts[0] + counts[1] > 0 ? Double(counts[0]) / Double(counts[0] + counts[1]) : nil)
        }
        let periodWindow = SLAWindow.current(settings.satisfactionPeriod, zone: catalog.defaults.zone, nowMs: max(window.startMs, window.endMs - 1))
        let periodRange = periodWindow.resolve(zone: catalog.defaults.zone, nowMs: nowMs)
        let ratings = try await store.tickets(
            created: TimeRange(startMs: min(window.startMs, periodRange.startMs) - 365 * 86_400_000, endMs: max(window.endMs, periodRange.endMs)),
            openOnly: false
        )
        let (good, rated) = TicketCorrelation.satisfaction(of: ratings, in: window)
        let period = TicketCorrelation.satisfaction(of: ratings, in: periodRange)
        let recent = try await store.tickets(created: TimeRange(startMs: nowMs - settings.surge.windowMs - settings.surge.baselineMs, endMs: nowMs + 1), openOnly: false)
        return TicketReportInfo(
            from: ISOTime.format(ms: window.startMs), to: ISOTime.format(ms: window.endMs), tickets: tickets.count,
            byPriority: TicketPriority.allCases.reversed().compactMap { priority in
                byPriority[priority].map {
                    PriorityAchievementInfo(priority: priority.rawValue, tickets: $0.count, firstResponse: achievement($0.first), resolution: achievement($0.resolution))
                }
            },
            breaches: breaches,
            satisfaction: satisfactionInfo(good: good, rated: rated, period: nil),
            satisfactionPeriod: satisfactionInfo(good: period.good, rated: period.rated, period: periodWindow.label),
            outages: outages.filter { linked[$0.id] != nil }.map { outage in
                let tickets = linked[outage.id] ?? []
                return OutageTicketsInfo(
                    outage: Self.reference(outage), tickets: tickets.map(\.externalID), openTickets: tickets.filter { !$0.status.isDone }.count,
                    organisations: Array(Set(tickets.map(\.organisation).filter { !$0.isEmpty })).sorted()
                )
            },
            surges: TicketCorrelation.surges(in: recent.map(canonicalTags), settings: settings.surge, nowMs: nowMs).map {
                SurgeInfo(tag: $0.tag, recent: $0.recent, baselinePerWindow: $0.baselinePerWindow, from: ISOTime.format(ms: $0.window.startMs), to: ISOTime.format(ms: $0.window.endMs))
            }
        )
    }
}
