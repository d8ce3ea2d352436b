/// One probe result as the agent saw it.
public struct Heartbeat: Sendable, Hashable {
    /// The agent-local check id this heartbeat belongs to (see ``CheckDefinition/id``).
    public var check: UInt32
    /// When the probe started, in milliseconds since the Unix epoch (UTC).
    public var timestampMs: Int64
    /// What the probe concluded.
    public var status: CheckStatus
    /// How long the probe took, in microseconds.
    public var latencyUs: UInt32
    /// A detail code: the HTTP status for HTTP checks, 0 when there is none.
    public var code: Int32
    /// A short human message (`status 503`, `connect refused`); empty when all is well.
    public var message: String
    /// How far the agent's stamping clock had been re-anchored to the wall clock since it started when
    /// this heartbeat was stamped: the sum of the clock steps it saw (negative when the wall clock was set
    /// back). `timestampMs − clockAdjustMs` is the time on the agent's monotonic clock; the collector uses
    /// it when the wall clock was set back, so a backwards step cannot move data into the past (issue 18).
    public var clockAdjustMs: Int64

    public init(
        check: UInt32,
        timestampMs: Int64,
        status: CheckStatus,
        latencyUs: UInt32 = 0,
        code: Int32 = 0,
        message: String = "",
        clockAdjustMs: Int64 = 0
    ) {
        self.check = check
        self.timestampMs = timestampMs
        self.status = status
        self.latencyUs = latencyUs
        self.code = code
        self.message = message
        self.clockAdjustMs = clockAdjustMs
    }
}
