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

    public init(
        check: UInt32,
        timestampMs: Int64,
        status: CheckStatus,
        latencyUs: UInt32 = 0,
        code: Int32 = 0,
        message: String = ""
    ) {
        self.check = check
        self.timestampMs = timestampMs
        self.status = status
        self.latencyUs = latencyUs
        self.code = code
        self.message = message
    }
}
