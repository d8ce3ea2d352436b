/// The outcome of one probe, and the state of a check or service over time.
///
/// `degraded` means the target answered correctly but slower than its latency threshold; it counts as up
/// for availability. `unknown` means there is no data: a silent agent is not a dead service.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case up
    case down
    case degraded
    case unknown

    /// Whether the status is an observation of the target (`up`, `degraded` or `down`).
    public var isKnown: Bool { self != .unknown }

    /// Whether the status counts as available time (`up` or `degraded`).
    public var isAvailable: Bool { self == .up || self == .degraded }
}
