/// A support ticket's priority.
public enum TicketPriority: String, Sendable, Hashable, CaseIterable, Codable {
    case low, normal, high, urgent
}

/// A support ticket's status (DESIGN §6).
public enum TicketStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case new, open, pending
    case onHold = "on_hold"
    case solved, closed

    /// Solved or closed: the work is done (until a reopen).
    public var isDone: Bool { self == .solved || self == .closed }

    /// Reads the usual spellings: `on_hold`, `on-hold`, `hold`, `On Hold`, `resolved` (as solved).
    public init?(loose text: String) {
        let key = text.lowercased().replacingSpaces()
        switch key {
        case "on_hold", "on-hold", "onhold", "hold": self = .onHold
        case "resolved": self = .solved
        default:
            guard let status = TicketStatus(rawValue: key) else { return nil }
            self = status
        }
    }
}

/// Something that happened to a ticket.
public struct TicketEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// The status changed.
        case status(TicketStatus)
        /// An agent replied publicly (the first one is the first response).
        case agentReply
        /// The requester wrote again (starts a next-reply clock).
        case requesterReply
        /// The requester rated the ticket: good or bad.
        case satisfaction(good: Bool)
    }

    /// When (ms since the epoch).
    public var atMs: Int64
    public var kind: Kind

    public init(atMs: Int64, kind: Kind) {
        self.atMs = atMs
        self.kind = kind
    }
}

/// A support ticket with its history.
public struct Ticket: Sendable, Hashable {
    /// The help desk's id (unique).
    public var externalID: String
    public var title: String
    public var requester: String
    public var organisation: String
    public var priority: TicketPriority
    public var category: String
    /// Service tags: the services the ticket is about (`api`, `checkout`).
    public var tags: [String]
    /// When it was opened.
    public var createdMs: Int64
    /// Its history, sorted by time.
    public var events: [TicketEvent]

    public init(
        externalID: String, title: String = "", requester: String = "", organisation: String = "",
        priority: TicketPriority = .normal, category: String = "", tags: [String] = [], createdMs: Int64,
        events: [TicketEvent] = []
    ) {
        self.externalID = externalID
        self.title = title
        self.requester = requester
        self.organisation = organisation
        self.priority = priority
        self.category = category
        self.tags = tags
        self.createdMs = createdMs
        self.events = events.sorted { $0.atMs < $1.atMs }
    }

    /// The status at `ms` (new before any status event).
    public func status(at ms: Int64) -> TicketStatus {
        var current = TicketStatus.new
        for event in events where event.atMs <= ms {
            if case .status(let status) = event.kind { current = status }
        }
        return current
    }

    /// The status now: the last status event's.
    public var status: TicketStatus { status(at: Int64.max) }

    /// The stretches spent in `statuses` inside `[from, to)`, normalized.
    public func time(in statuses: Set<TicketStatus>, from: Int64, to: Int64) -> [TimeRange] {
        var ranges: [TimeRange] = []
        var current = TicketStatus.new
        var since = createdMs
        for event in events {
            guard case .status(let status) = event.kind else { continue }
            if statuses.contains(current) { ranges.append(TimeRange(startMs: since, endMs: event.atMs)) }
            current = status
            since = event.atMs
        }
        if statuses.contains(current) { ranges.append(TimeRange(startMs: since, endMs: Int64.max)) }
        return RangeSet.normalized(ranges.map { $0.clamped(to: TimeRange(startMs: from, endMs: to)) })
    }

    /// The first agent reply, if any.
    public var firstReplyMs: Int64? {
        events.first { $0.kind == .agentReply }?.atMs
    }

    /// The latest satisfaction rating: `true` good, `false` bad, `nil` none.
    public var satisfaction: (good: Bool, atMs: Int64)? {
        for event in events.reversed() {
            if case .satisfaction(let good) = event.kind { return (good, event.atMs) }
        }
        return nil
    }
}

extension String {
    func replacingSpaces() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}
