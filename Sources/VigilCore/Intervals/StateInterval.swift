/// A run of one state for one check: the stored unit of availability (one row per state change).
///
/// The run covers `[startMs, endMs)`. `lastBeatMs` is the newest heartbeat that supports it; without a
/// newer heartbeat the state holds until `lastBeatMs + staleAfter`, so `endMs` never exceeds that. Time
/// between runs is `unknown`.
public struct StateInterval: Sendable, Hashable, Codable {
    /// The state over the run.
    public var status: CheckStatus
    /// Inclusive start: the first heartbeat of the run.
    public var startMs: Int64
    /// Exclusive end: the next run's start, or where the last heartbeat went stale.
    public var endMs: Int64
    /// The newest heartbeat inside the run.
    public var lastBeatMs: Int64
    /// How many heartbeats the run holds (confirmation thresholds count them).
    public var beats: Int64
    /// The message of the run's first heartbeat (`status 503`): an outage's first error.
    public var message: String

    public init(status: CheckStatus, startMs: Int64, endMs: Int64, lastBeatMs: Int64, beats: Int64 = 1, message: String = "") {
        self.status = status
        self.startMs = startMs
        self.endMs = endMs
        self.lastBeatMs = lastBeatMs
        self.beats = beats
        self.message = message
    }

    /// The span the run covers.
    public var range: TimeRange { TimeRange(startMs: startMs, endMs: endMs) }
}
