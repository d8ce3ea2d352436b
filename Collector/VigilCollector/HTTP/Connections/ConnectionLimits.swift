import VigilConfig

/// Limits on the listener's connections (issue 19: 500 slowloris sockets stayed open for minutes, a
/// request declaring Content-Length 100000 and sending 200 bytes held its handler, and ~1,000 bare
/// sockets at a 1,024 file limit starved `/healthz`).
///
/// ```yaml
/// connections: {max: 1000, idle_timeout: 15s, request_timeout: 30s}
/// ```
public struct ConnectionLimits: Sendable, Hashable {
    /// Connections served at once. Past it a new connection's first request is answered `503
    /// too_many_connections` with `Retry-After` and the connection closed (`GET /healthz` is still
    /// answered, so a health check sees a live collector); one that sends nothing is closed within 2 s.
    /// Never more than the open-file limit (raised to its hard limit at start) allows, less 128 for the
    /// store and logs. Default 1,000.
    public var max = 1_000
    /// A connection with no request in progress (nothing received yet, a request head still incomplete,
    /// or idle between requests) is closed after this, in ms. Default 15 s.
    public var idleTimeoutMs: Int64 = 15_000
    /// A request must arrive whole, from its head to the end of its body, within this, in ms; past it the
    /// answer is `408 request_timeout` and the connection is closed. Default 30 s.
    public var requestTimeoutMs: Int64 = 30_000
    /// How long a connection past ``max`` may take to send its request head before it is closed, in ms.
    static let overLimitHeadTimeoutMs: Int64 = 2_000
    /// Connections past ``max`` that may wait ``overLimitHeadTimeoutMs`` for their request head; beyond
    /// them a connection gets ``floodHeadTimeoutMs``.
    static let overLimitGrace = 64
    /// How long a connection far past ``max`` may take to send its request head, in ms: enough for a
    /// health check, which sends as soon as it connects.
    static let floodHeadTimeoutMs: Int64 = 250
    /// File descriptors kept for the store, logs and outgoing hooks when capping ``max``.
    static let reservedFiles = 128

    public init() {}

    static let keys: Set<String> = ["connections"]

    /// Reads `connections:` from the collector config.
    static func parse(_ root: ConfigObject) throws(ConfigError) -> ConnectionLimits {
        var limits = ConnectionLimits()
        guard let value = root.optional("connections") else { return limits }
        let object = try value.object(allowedKeys: ["max", "idle_timeout", "request_timeout"])
        if let item = object.optional("max") {
            limits.max = try item.int()
            guard limits.max >= 1 else { throw item.error("must be at least 1") }
        }
        if let item = object.optional("idle_timeout") {
            limits.idleTimeoutMs = try item.durationMs()
            guard limits.idleTimeoutMs >= 100 else { throw item.error("must be at least 100ms") }
        }
        if let item = object.optional("request_timeout") {
            limits.requestTimeoutMs = try item.durationMs()
            guard limits.requestTimeoutMs >= 100 else { throw item.error("must be at least 100ms") }
        }
        return limits
    }
}
