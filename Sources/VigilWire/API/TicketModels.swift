/// `POST /v1/tickets` (and each row of an import): a ticket by its help desk id; sending it again
/// updates it. Times are ISO 8601. README "Tickets" documents every field.
public struct TicketInput: Codable, Sendable, Hashable {
    public var externalID: String
    public var title: String?
    public var requester: String?
    public var organisation: String?
    /// low, normal (default), high, urgent.
    public var priority: String?
    public var category: String?
    /// Service tags.
    public var tags: [String]?
    public var createdAt: String
    /// The status now (recorded at `updated_at`, or `created_at`).
    public var status: String?
    public var updatedAt: String?
    public var firstReplyAt: String?
    public var solvedAt: String?
    /// good or bad.
    public var satisfaction: String?
    public var events: [TicketEventInput]?

    public init(
        externalID: String, title: String? = nil, requester: String? = nil, organisation: String? = nil, priority: String? = nil,
        category: String? = nil, tags: [String]? = nil, createdAt: String, status: String? = nil, updatedAt: String? = nil,
        firstReplyAt: String? = nil, solvedAt: String? = nil, satisfaction: String? = nil, events: [TicketEventInput]? = nil
    ) {
        self.externalID = externalID
        self.title = title
        self.requester = requester
        self.organisation = organisation
        self.priority = priority
        self.category = category
        self.tags = tags
        self.createdAt = createdAt
        self.status = status
        self.updatedAt = updatedAt
        self.firstReplyAt = firstReplyAt
        self.solvedAt = solvedAt
        self.satisfaction = satisfaction
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case title, requester, organisation, priority, category, tags, status, satisfaction, events
        case externalID = "external_id", createdAt = "created_at", updatedAt = "updated_at"
        case firstReplyAt = "first_reply_at", solvedAt = "solved_at"
    }
}

/// One ticket event: `{"at", "type": "status"|"agent_reply"|"requester_reply"|"satisfaction", "status", "rating"}`.
public struct TicketEventInput: Codable, Sendable, Hashable {
    public var at: String
    public var type: String
    public var status: String?
    /// good or bad, for `satisfaction`.
    public var rating: String?

    public init(at: String, type: String, status: String? = nil, rating: String? = nil) {
        self.at = at
        self.type = type
        self.status = status
        self.rating = rating
    }
}

/// `POST /v1/tickets/{id}/events` body: `{"events": [...]}` (a single event object is accepted too).
public struct TicketEventsInput: Codable, Sendable, Hashable {
    public var events: [TicketEventInput]

    public init(events: [TicketEventInput]) { self.events = events }
}

/// What an import or upsert did.
public struct TicketImportResult: Codable, Sendable, Hashable {
    public var created: Int
    public var updated: Int
    /// Rows refused, by index in the request, with the reason.
    public var rejected: [TicketRejection]

    public init(created: Int, updated: Int, rejected: [TicketRejection]) {
        self.created = created
        self.updated = updated
        self.rejected = rejected
    }
}

/// A refused ticket row.
public struct TicketRejection: Codable, Sendable, Hashable {
    public var index: Int
    public var reason: String

    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

/// A ticket with its clocks and linked outage: `GET /v1/tickets`, `GET /v1/tickets/{id}`.
public struct TicketInfo: Codable, Sendable, Hashable {
    public var externalID: String
    public var title: String
    public var requester: String
    public var organisation: String
    public var priority: String
    public var category: String
    public var tags: [String]
    public var createdAt: String
    public var status: String
    public var firstReplyAt: String?
    public var satisfaction: String?
    /// The ticket SLA policy that applies.
    public var policy: String?
    public var clocks: [TicketClockInfo]
    public var outage: OutageRef?
    /// The history (in `GET /v1/tickets/{id}` only).
    public var events: [TicketEventInput]?

    public init(
        externalID: String, title: String, requester: String, organisation: String, priority: String, category: String,
        tags: [String], createdAt: String, status: String, firstReplyAt: String?, satisfaction: String?, policy: String?,
        clocks: [TicketClockInfo], outage: OutageRef?, events: [TicketEventInput]?
    ) {
        self.externalID = externalID
        self.title = title
        self.requester = requester
        self.organisation = organisation
        self.priority = priority
        self.category = category
        self.tags = tags
        self.createdAt = createdAt
        self.status = status
        self.firstReplyAt = firstReplyAt
        self.satisfaction = satisfaction
        self.policy = policy
        self.clocks = clocks
        self.outage = outage
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case title, requester, organisation, priority, category, tags, status, satisfaction, policy, clocks, outage, events
        case externalID = "external_id", createdAt = "created_at", firstReplyAt = "first_reply_at"
    }
}

/// A ticket SLA clock.
public struct TicketClockInfo: Codable, Sendable, Hashable {
    /// first_response, next_reply, resolution.
    public var metric: String
    /// running, paused, met, breached.
    public var state: String
    public var startedAt: String
    public var stoppedAt: String?
    public var targetSeconds: Double
    public var elapsedSeconds: Double
    public var remainingSeconds: Double
    public var dueAt: String?
    public var atRisk: Bool
    public var calendar: String
    public var pauses: [PeriodInfo]

    public init(
        metric: String, state: String, startedAt: String, stoppedAt: String?, targetSeconds: Double, elapsedSeconds: Double,
        remainingSeconds: Double, dueAt: String?, atRisk: Bool, calendar: String, pauses: [PeriodInfo]
    ) {
        self.metric = metric
        self.state = state
        self.startedAt = startedAt
        self.stoppedAt = stoppedAt
        self.targetSeconds = targetSeconds
        self.elapsedSeconds = elapsedSeconds
        self.remainingSeconds = remainingSeconds
        self.dueAt = dueAt
        self.atRisk = atRisk
        self.calendar = calendar
        self.pauses = pauses
    }

    enum CodingKeys: String, CodingKey {
        case metric, state, calendar, pauses
        case startedAt = "started_at", stoppedAt = "stopped_at", targetSeconds = "target_seconds"
        case elapsedSeconds = "elapsed_seconds", remainingSeconds = "remaining_seconds", dueAt = "due_at", atRisk = "at_risk"
    }
}

/// A span of time.
public struct PeriodInfo: Codable, Sendable, Hashable {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

/// A reference to an outage.
public struct OutageRef: Codable, Sendable, Hashable {
    public var id: String
    public var service: String
    public var start: String
    public var end: String?

    public init(id: String, service: String, start: String, end: String?) {
        self.id = id
        self.service = service
        self.start = start
        self.end = end
    }
}

/// `GET /v1/outages/{id}`: the outage and the tickets it caused.
public struct OutageDetailInfo: Codable, Sendable, Hashable {
    public var outage: OutageInfo
    public var tickets: [TicketInfo]
    public var openTickets: Int
    public var organisations: [String]

    public init(outage: OutageInfo, tickets: [TicketInfo], openTickets: Int, organisations: [String]) {
        self.outage = outage
        self.tickets = tickets
        self.openTickets = openTickets
        self.organisations = organisations
    }

    enum CodingKeys: String, CodingKey {
        case outage, tickets, organisations
        case openTickets = "open_tickets"
    }
}

/// `GET /v1/report/tickets?` window: ticket SLA achievement, breaches, satisfaction and outages' tickets.
public struct TicketReportInfo: Codable, Sendable, Hashable {
    public var from: String
    public var to: String
    public var tickets: Int
    public var byPriority: [PriorityAchievementInfo]
    public var breaches: [TicketBreachInfo]
    /// Ratings given inside the window.
    public var satisfaction: SatisfactionInfo
    /// Ratings over the configured satisfaction period that holds the window's end (`2026-Q4`).
    public var satisfactionPeriod: SatisfactionInfo?
    public var outages: [OutageTicketsInfo]
    public var surges: [SurgeInfo]

    public init(
        from: String, to: String, tickets: Int, byPriority: [PriorityAchievementInfo], breaches: [TicketBreachInfo],
        satisfaction: SatisfactionInfo, satisfactionPeriod: SatisfactionInfo? = nil, outages: [OutageTicketsInfo], surges: [SurgeInfo]
    ) {
        self.satisfactionPeriod = satisfactionPeriod
        self.from = from
        self.to = to
        self.tickets = tickets
        self.byPriority = byPriority
        self.breaches = breaches
        self.satisfaction = satisfaction
        self.outages = outages
        self.surges = surges
    }

    enum CodingKeys: String, CodingKey {
        case from, to, tickets, breaches, satisfaction, outages, surges
        case byPriority = "by_priority", satisfactionPeriod = "satisfaction_period"
    }
}

/// Met and breached clocks of one priority.
public struct PriorityAchievementInfo: Codable, Sendable, Hashable {
    public var priority: String
    public var tickets: Int
    public var firstResponse: AchievementInfo
    public var resolution: AchievementInfo

    public init(priority: String, tickets: Int, firstResponse: AchievementInfo, resolution: AchievementInfo) {
        self.priority = priority
        self.tickets = tickets
        self.firstResponse = firstResponse
        self.resolution = resolution
    }

    enum CodingKeys: String, CodingKey {
        case priority, tickets, resolution
        case firstResponse = "first_response"
    }
}

/// Clocks met, breached and still running; `achievement` = met / (met + breached).
public struct AchievementInfo: Codable, Sendable, Hashable {
    public var met: Int
    public var breached: Int
    public var running: Int
    public var achievement: Double?

    public init(met: Int, breached: Int, running: Int, achievement: Double?) {
        self.met = met
        self.breached = breached
        self.running = running
        self.achievement = achievement
    }
}

/// A breached clock.
public struct TicketBreachInfo: Codable, Sendable, Hashable {
    public var ticket: String
    public var title: String
    public var priority: String
    public var metric: String
    public var dueAt: String?
    public var overBySeconds: Double

    public init(ticket: String, title: String, priority: String, metric: String, dueAt: String?, overBySeconds: Double) {
        self.ticket = ticket
        self.title = title
        self.priority = priority
        self.metric = metric
        self.dueAt = dueAt
        self.overBySeconds = overBySeconds
    }

    enum CodingKeys: String, CodingKey {
        case ticket, title, priority, metric
        case dueAt = "due_at", overBySeconds = "over_by_seconds"
    }
}

/// Good ratings against the target.
public struct SatisfactionInfo: Codable, Sendable, Hashable {
    /// The period's label when it is the configured one (`2026-Q4`).
    public var period: String?
    public var good: Int
    public var rated: Int
    public var share: Double?
    public var targetPercent: Double
    public var met: Bool?

    public init(period: String? = nil, good: Int, rated: Int, share: Double?, targetPercent: Double, met: Bool?) {
        self.period = period
        self.good = good
        self.rated = rated
        self.share = share
        self.targetPercent = targetPercent
        self.met = met
    }

    enum CodingKeys: String, CodingKey {
        case period, good, rated, share, met
        case targetPercent = "target_percent"
    }
}

/// An outage and the tickets it caused.
public struct OutageTicketsInfo: Codable, Sendable, Hashable {
    public var outage: OutageRef
    public var tickets: [String]
    public var openTickets: Int
    public var organisations: [String]

    public init(outage: OutageRef, tickets: [String], openTickets: Int, organisations: [String]) {
        self.outage = outage
        self.tickets = tickets
        self.openTickets = openTickets
        self.organisations = organisations
    }

    enum CodingKeys: String, CodingKey {
        case outage, tickets, organisations
        case openTickets = "open_tickets"
    }
}

/// New tickets for one service tag above its baseline.
public struct SurgeInfo: Codable, Sendable, Hashable {
    public var tag: String
    public var recent: Int
    public var baselinePerWindow: Double
    public var from: String
    public var to: String

    public init(tag: String, recent: Int, baselinePerWindow: Double, from: String, to: String) {
        self.tag = tag
        self.recent = recent
        self.baselinePerWindow = baselinePerWindow
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey {
        case tag, recent, from, to
        case baselinePerWindow = "baseline_per_window"
    }
}
