/// What an agent probes: sent in a batch when it changes, referenced by heartbeats through ``id``.
public struct CheckDefinition: Sendable, Hashable {
    /// Agent-local id, unique within one agent session.
    public var id: UInt32
    /// Check name, unique per agent (`api-health`).
    public var name: String
    /// The service this check observes (`api`); a service may be probed by several agents.
    public var service: String
    /// The probe kind (`http`, `tcp`, ...).
    public var kind: String
    /// What is probed: a URL or `host:port`.
    public var target: String
    /// Probe interval in milliseconds.
    public var intervalMs: UInt32
    /// Probe timeout in milliseconds; 0 when the sender did not say.
    public var timeoutMs: UInt32

    public init(
        id: UInt32,
        name: String,
        service: String,
        kind: String,
        target: String,
        intervalMs: UInt32,
        timeoutMs: UInt32 = 0
    ) {
        self.id = id
        self.name = name
        self.service = service
        self.kind = kind
        self.target = target
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
    }

    /// How long one heartbeat's state holds when no newer one arrives: 2 × interval + timeout (DESIGN §5).
    ///
    /// When the timeout is unknown the interval stands in for it.
    public var staleAfterMs: Int64 {
        let timeout = timeoutMs > 0 ? Int64(timeoutMs) : Int64(intervalMs)
        return 2 * Int64(intervalMs) + timeout
    }
}
