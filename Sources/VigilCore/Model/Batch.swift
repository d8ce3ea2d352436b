/// A batch of heartbeats as one agent session sends it (DESIGN §4), independent of its encoding.
public struct Batch: Sendable, Hashable {
    /// Random per agent start.
    public var sessionID: String
    /// Ascending per session; the collector stores each (agent, session, seq) once.
    public var seq: UInt64
    /// The agent's version string.
    public var agentVersion: String
    /// Heartbeats the agent had to drop since its previous batch.
    public var dropped: UInt64
    /// Check definitions, sent when they change.
    public var checks: [CheckDefinition]
    /// Probe results.
    public var heartbeats: [Heartbeat]

    public init(
        sessionID: String,
        seq: UInt64,
        agentVersion: String,
        dropped: UInt64 = 0,
        checks: [CheckDefinition] = [],
        heartbeats: [Heartbeat] = []
    ) {
        self.sessionID = sessionID
        self.seq = seq
        self.agentVersion = agentVersion
        self.dropped = dropped
        self.checks = checks
        self.heartbeats = heartbeats
    }
}
