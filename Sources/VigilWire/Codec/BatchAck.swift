/// The collector's answer to an accepted batch: `200 {"acked_through": seq, ...}`.
public struct BatchAck: Codable, Sendable, Hashable {
    /// A heartbeat the collector refused, with the reason; the rest of the batch is stored.
    public struct Rejection: Codable, Sendable, Hashable {
        /// Position of the heartbeat in the batch.
        public var index: Int
        /// Why it was refused.
        public var reason: String

        public init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    /// The highest seq of the session stored; the agent may delete everything up to it.
    public var ackedThrough: UInt64
    /// Heartbeats stored from this batch (0 for a duplicate).
    public var accepted: Int
    /// `true` when this (agent, session, seq) had already been stored and nothing changed.
    public var duplicate: Bool
    /// Heartbeats refused (timestamps too far in the future or past retention, unknown check ids).
    public var rejected: [Rejection]
    /// `true` when a heartbeat named a check id the collector does not know for this session: the agent
    /// should send all its check definitions with its next batch.
    public var resendChecks: Bool

    public init(ackedThrough: UInt64, accepted: Int, duplicate: Bool = false, rejected: [Rejection] = [], resendChecks: Bool = false) {
        self.ackedThrough = ackedThrough
        self.accepted = accepted
        self.duplicate = duplicate
        self.rejected = rejected
        self.resendChecks = resendChecks
    }

    enum CodingKeys: String, CodingKey {
        case ackedThrough = "acked_through"
        case accepted
        case duplicate
        case rejected
        case resendChecks = "resend_checks"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ackedThrough = try container.decode(UInt64.self, forKey: .ackedThrough)
        accepted = try container.decodeIfPresent(Int.self, forKey: .accepted) ?? 0
        duplicate = try container.decodeIfPresent(Bool.self, forKey: .duplicate) ?? false
        rejected = try container.decodeIfPresent([Rejection].self, forKey: .rejected) ?? []
        resendChecks = try container.decodeIfPresent(Bool.self, forKey: .resendChecks) ?? false
    }
}
