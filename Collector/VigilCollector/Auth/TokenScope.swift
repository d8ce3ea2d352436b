/// What an API token may do. Agent tokens are separate: they can only post their own batches.
public enum TokenScope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Every `GET` of the operator API: status, uptime, SLA reports, outages, tickets, agents.
    case read
    /// Everything `read` may do, and every write: agents, tokens, tickets, maintenance, silences, hooks.
    case admin

    /// Whether a token with this scope may do what `needed` allows.
    public func allows(_ needed: TokenScope) -> Bool { self >= needed }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .read: 0
        case .admin: 1
        }
    }
}

/// An operator API token as stored: its name, scope and creation time. The secret itself is never kept.
public struct APITokenRecord: Sendable, Hashable {
    public var id: Int64
    /// The operator's name for it (unique among live tokens; `admin.token` for the one in the data folder).
    public var name: String
    public var scope: TokenScope
    public var createdMs: Int64

    public init(id: Int64, name: String, scope: TokenScope, createdMs: Int64) {
        self.id = id
        self.name = name
        self.scope = scope
        self.createdMs = createdMs
    }
}
