/// A ticket SLA metric (DESIGN §6).
public enum TicketMetric: String, Sendable, Hashable, CaseIterable, Codable {
    /// Creation → first agent reply.
    case firstResponse = "first_response"
    /// Each requester reply after the first response → the next agent reply.
    case nextReply = "next_reply"
    /// Creation → solved (time spent solved before a reopen does not count).
    case resolution
}

/// A target: this much business time on this calendar.
public struct TicketTarget: Sendable {
    /// Business time allowed, in ms.
    public var durationMs: Int64
    /// Whose hours count.
    public var calendar: BusinessCalendar

    public init(durationMs: Int64, calendar: BusinessCalendar = .alwaysOpen) {
        self.durationMs = durationMs
        self.calendar = calendar
    }
}

/// One ticket SLA policy: which tickets it covers and their targets. Policies are ordered; the first
/// that matches a ticket applies.
public struct TicketPolicy: Sendable {
    /// Its name in the config.
    public var name: String
    /// Matches when the ticket's priority is one of these (`nil`: any).
    public var priorities: Set<TicketPriority>?
    /// Matches when the ticket's category is one of these (`nil`: any).
    public var categories: Set<String>?
    /// Matches when the ticket has any of these service tags (`nil`: any).
    public var tags: Set<String>?
    /// Targets by metric; a metric without one has no clock.
    public var targets: [TicketMetric: TicketTarget]

    public init(
        name: String, priorities: Set<TicketPriority>? = nil, categories: Set<String>? = nil, tags: Set<String>? = nil,
        targets: [TicketMetric: TicketTarget]
    ) {
        self.name = name
        self.priorities = priorities
        self.categories = categories
        self.tags = tags
        self.targets = targets
    }

    /// Whether the policy covers `ticket`.
    public func matches(_ ticket: Ticket) -> Bool {
        if let priorities, !priorities.contains(ticket.priority) { return false }
        if let categories, !categories.contains(ticket.category) { return false }
        if let tags, tags.isDisjoint(with: ticket.tags) { return false }
        return true
    }
}

/// Everything the collector config says about tickets.
public struct TicketSettings: Sendable {
    /// Ordered policies; the first match applies.
    public var policies: [TicketPolicy] = []
    /// Statuses that pause every clock. Default pending and on_hold.
    public var pauseStatuses: Set<TicketStatus> = [.pending, .onHold]
    /// A running clock is at risk when less than this share of its target remains. Default 25 %.
    public var atRiskBelow = Percentage(ppm: 250_000)
    /// Share of good ratings promised per ``satisfactionPeriod``. Default 90 %.
    public var satisfactionTarget = Percentage(ppm: 900_000)
    /// The period satisfaction is judged over. Default the calendar quarter.
    public var satisfactionPeriod: SLAPeriod = .quarter
    /// Outage ↔ ticket correlation: tickets created from `before` ms before an outage starts … Default 15 min.
    public var correlationBeforeMs: Int64 = 15 * 60_000
    /// … to `after` ms after it ends (ongoing outages extend to now). Default 2 h.
    public var correlationAfterMs: Int64 = 2 * 3_600_000
    /// Surge detection.
    public var surge = SurgeSettings()

    public init() {}

    /// The policy for a ticket, if any matches.
    public func policy(for ticket: Ticket) -> TicketPolicy? { policies.first { $0.matches(ticket) } }

    /// The seeds' policy (DESIGN §6), around the clock: first response within 24 h; resolution within 72 h
    /// for complex technical issues (category `technical`) and 48 h for every other (simple) request;
    /// 90 % satisfied per quarter.
    public static func seedsExample() -> TicketSettings {
        var settings = TicketSettings()
        settings.policies = [
            TicketPolicy(name: "complex-technical", categories: ["technical"], targets: [
                .firstResponse: TicketTarget(durationMs: 24 * 3_600_000),
                .resolution: TicketTarget(durationMs: 72 * 3_600_000),
            ]),
            TicketPolicy(name: "simple-request", targets: [
                .firstResponse: TicketTarget(durationMs: 24 * 3_600_000),
                .resolution: TicketTarget(durationMs: 48 * 3_600_000),
            ]),
        ]
        return settings
    }
}

/// When new tickets for one service count as a surge (DESIGN §7).
public struct SurgeSettings: Sendable, Hashable {
    /// The recent window counted. Default 1 h.
    public var windowMs: Int64 = 3_600_000
    /// The baseline before it, as a rate per window. Default 7 days.
    public var baselineMs: Int64 = 7 * 86_400_000
    /// A surge is at least this many times the baseline rate. Default 3.
    public var factor: Double = 3
    /// … and at least this many tickets. Default 5.
    public var minimumTickets: Int = 5

    public init() {}
}
