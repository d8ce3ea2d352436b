/// Links tickets to outages and spots ticket surges (DESIGN §7).
public enum TicketCorrelation {
    /// The outage a ticket belongs to: one whose service (or an alias of it) is among the ticket's tags
    /// and whose window `[start − before, end + after]` holds the ticket's creation (an ongoing outage
    /// extends to `nowMs`). When several match, the one that started last before the ticket wins.
    ///
    /// - Parameter aliases: other names per service, as tickets may tag it.
    public static func outage(
        for ticket: Ticket, among outages: [Outage], aliases: [String: [String]], settings: TicketSettings, nowMs: Int64
    ) -> Outage? {
        let tags = Set(ticket.tags)
        var best: Outage?
        for outage in outages {
            let names = [outage.service] + (aliases[outage.service] ?? [])
            guard names.contains(where: tags.contains) else { continue }
            let end = outage.ongoing ? max(nowMs, outage.range.endMs) : outage.range.endMs
            guard ticket.createdMs >= outage.range.startMs - settings.correlationBeforeMs,
                  ticket.createdMs <= end + settings.correlationAfterMs
            else { continue }
            if let current = best {
                let currentBefore = current.range.startMs <= ticket.createdMs
                let candidateBefore = outage.range.startMs <= ticket.createdMs
                if candidateBefore && (!currentBefore || outage.range.startMs > current.range.startMs) {
                    best = outage
                } else if !candidateBefore && !currentBefore && outage.range.startMs < current.range.startMs {
                    best = outage
                }
            } else {
                best = outage
            }
        }
        return best
    }

    /// A surge of new tickets for one service tag.
    public struct Surge: Sendable, Hashable {
        public var tag: String
        /// Tickets created in the recent window.
        public var recent: Int
        /// The baseline's mean per window.
        public var baselinePerWindow: Double
        public var window: TimeRange
    }

    /// Tags whose new tickets in `[now − window, now)` reach `factor` × the baseline rate (per window,
    /// over the `baseline` before it) and at least `minimumTickets`.
    public static func surges(in tickets: [Ticket], settings: SurgeSettings, nowMs: Int64) -> [Surge] {
        let recentStart = nowMs - settings.windowMs
        let baselineStart = recentStart - settings.baselineMs
        var recent: [String: Int] = [:]
        var before: [String: Int] = [:]
        for ticket in tickets where ticket.createdMs >= baselineStart && ticket.createdMs < nowMs {
            for tag in Set(ticket.tags) {
                if ticket.createdMs >= recentStart { recent[tag, default: 0] += 1 } else { before[tag, default: 0] += 1 }
            }
        }
        let windows = Double(settings.baselineMs) / Double(settings.windowMs)
        return recent.compactMap { tag, count in
            let baseline = Double(before[tag] ?? 0) / windows
            guard count >= settings.minimumTickets, Double(count) >= settings.factor * baseline else { return nil }
            return Surge(tag: tag, recent: count, baselinePerWindow: baseline, window: TimeRange(startMs: recentStart, endMs: nowMs))
        }.sorted { $0.tag < $1.tag }
    }

    /// Satisfaction over `range`: good and rated tickets (the latest rating of each ticket rated inside).
    public static func satisfaction(of tickets: [Ticket], in range: TimeRange) -> (good: Int, rated: Int) {
        var good = 0
        var rated = 0
        for ticket in tickets {
            guard let rating = ticket.satisfaction, rating.atMs >= range.startMs, rating.atMs < range.endMs else { continue }
            rated += 1
            if rating.good { good += 1 }
        }
        return (good, rated)
    }
}
