/// Time-weighted availability of one service over a window: `GET /v1/services/{service}/uptime`.
///
/// `up_seconds` includes degraded time (degraded is up, but slow); `availability` = up / (up + down) and
/// is `null` when nothing is known; `coverage` = (up + down) / eligible; `unknown_seconds` is time with
/// no data, which counts neither way.
public struct UptimeReport: Codable, Sendable, Hashable {
    public var service: String
    /// Window start, ISO 8601.
    public var from: String
    /// Window end (cut at the collector's "now"), ISO 8601.
    public var to: String
    public var method: String
    public var availability: Double?
    public var coverage: Double?
    public var upSeconds: Double
    public var degradedSeconds: Double
    public var downSeconds: Double
    public var unknownSeconds: Double
    public var eligibleSeconds: Double
    /// Checks (locations) that make up the service.
    public var checks: Int

    public init(
        service: String, from: String, to: String, method: String = "time", availability: Double?, coverage: Double?,
        upSeconds: Double, degradedSeconds: Double, downSeconds: Double, unknownSeconds: Double,
        eligibleSeconds: Double, checks: Int
    ) {
        self.service = service
        self.from = from
        self.to = to
        self.method = method
        self.availability = availability
        self.coverage = coverage
        self.upSeconds = upSeconds
        self.degradedSeconds = degradedSeconds
        self.downSeconds = downSeconds
        self.unknownSeconds = unknownSeconds
        self.eligibleSeconds = eligibleSeconds
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey {
        case service, from, to, method, availability, coverage, checks
        case upSeconds = "up_seconds"
        case degradedSeconds = "degraded_seconds"
        case downSeconds = "down_seconds"
        case unknownSeconds = "unknown_seconds"
        case eligibleSeconds = "eligible_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service, forKey: .service)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(method, forKey: .method)
        // Always present, null when not defined, so scripts can rely on the keys.
        try container.encode(availability, forKey: .availability)
        try container.encode(coverage, forKey: .coverage)
        try container.encode(upSeconds, forKey: .upSeconds)
        try container.encode(degradedSeconds, forKey: .degradedSeconds)
        try container.encode(downSeconds, forKey: .downSeconds)
        try container.encode(unknownSeconds, forKey: .unknownSeconds)
        try container.encode(eligibleSeconds, forKey: .eligibleSeconds)
        try container.encode(checks, forKey: .checks)
    }
}

/// One check of a service as `GET /v1/services` shows it.
public struct CheckStatusInfo: Codable, Sendable, Hashable {
    public var name: String
    public var agent: String
    public var kind: String
    public var target: String
    /// State now: up, down, degraded or unknown (stale or never seen).
    public var state: String
    /// Time of the newest heartbeat, ISO 8601.
    public var lastHeartbeat: String?
    public var latencyMs: Double?
    public var message: String?

    public init(name: String, agent: String, kind: String, target: String, state: String, lastHeartbeat: String?, latencyMs: Double?, message: String?) {
        self.name = name
        self.agent = agent
        self.kind = kind
        self.target = target
        self.state = state
        self.lastHeartbeat = lastHeartbeat
        self.latencyMs = latencyMs
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case name, agent, kind, target, state, message
        case lastHeartbeat = "last_heartbeat"
        case latencyMs = "latency_ms"
    }
}

/// A service with its current state and the last 24 hours: `GET /v1/services`.
public struct ServiceStatusInfo: Codable, Sendable, Hashable {
    public var service: String
    /// State now, by majority of the checks whose state is known.
    public var state: String
    /// Availability over the last 24 hours.
    public var last24h: UptimeReport
    public var checks: [CheckStatusInfo]

    public init(service: String, state: String, last24h: UptimeReport, checks: [CheckStatusInfo]) {
        self.service = service
        self.state = state
        self.last24h = last24h
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey {
        case service, state, checks
        case last24h = "last_24h"
    }
}

/// A registered agent: `GET /v1/agents`.
public struct AgentInfo: Codable, Sendable, Hashable {
    public var name: String
    public var createdAt: String
    /// When its last batch arrived.
    public var lastSeen: String?
    public var version: String?
    public var sessionID: String?
    public var batches: Int64
    public var heartbeats: Int64
    /// Heartbeats it reported dropping because its spool was full.
    public var dropped: Int64
    /// Time of its newest heartbeat.
    public var lastHeartbeat: String?
    /// Seconds between its newest heartbeat and now: how far behind it is.
    public var lagSeconds: Double?
    /// Whether its token was revoked; absent from collectors before revocation existed.
    public var revoked: Bool?
    /// Its clock minus the collector's when its last batch arrived; absent when it did not say.
    public var clockOffsetSeconds: Double?
    /// The sum of the wall-clock steps its stamping clock re-anchored on (negative: set back); absent
    /// when its heartbeats never carried one.
    public var clockStepSeconds: Double?
    /// The services it may report (names or globs); absent for any.
    public var services: [String]?

    public init(
        name: String, createdAt: String, lastSeen: String?, version: String?, sessionID: String?, batches: Int64,
        heartbeats: Int64, dropped: Int64, lastHeartbeat: String?, lagSeconds: Double?, revoked: Bool? = nil,
        clockOffsetSeconds: Double? = nil, clockStepSeconds: Double? = nil, services: [String]? = nil
    ) {
        self.services = services
        self.clockOffsetSeconds = clockOffsetSeconds
        self.clockStepSeconds = clockStepSeconds
        self.name = name
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.version = version
        self.sessionID = sessionID
        self.batches = batches
        self.heartbeats = heartbeats
        self.dropped = dropped
        self.lastHeartbeat = lastHeartbeat
        self.lagSeconds = lagSeconds
        self.revoked = revoked
    }

    enum CodingKeys: String, CodingKey {
        case name, version, batches, heartbeats, dropped, revoked, services
        case createdAt = "created_at"
        case lastSeen = "last_seen"
        case sessionID = "session_id"
        case lastHeartbeat = "last_heartbeat"
        case clockOffsetSeconds = "clock_offset_seconds"
        case clockStepSeconds = "clock_step_seconds"
        case lagSeconds = "lag_seconds"
    }
}

/// `POST /v1/agents` body.
public struct AgentCreateRequest: Codable, Sendable, Hashable {
    public var name: String
    /// When the name is taken: give that agent a new token (the old one stops working) instead of 409.
    public var replace: Bool?
    /// The services it may report: names or globs (`web-*`); absent for any. With `replace`, a new scope
    /// for the agent; absent keeps its scope.
    public var services: [String]?
    public init(name: String, replace: Bool? = nil, services: [String]? = nil) {
        self.name = name
        self.replace = replace
        self.services = services
    }
}

/// `POST /v1/agents/{name}/scope` body: the services the agent may report (names or globs), or
/// `null` for any.
public struct AgentScopeRequest: Codable, Sendable, Hashable {
    public var services: [String]?
    public init(services: [String]?) { self.services = services }
}

/// `POST /v1/agents` answer; the token is shown this once and stored only hashed.
public struct AgentCreated: Codable, Sendable, Hashable {
    public var name: String
    public var token: String
    public init(name: String, token: String) {
        self.name = name
        self.token = token
    }
}

/// `POST /v1/agents/{name}/revoke` answer.
public struct AgentRevoked: Codable, Sendable, Hashable {
    public var name: String
    public var revoked: Bool
    public init(name: String, revoked: Bool) {
        self.name = name
        self.revoked = revoked
    }
}

/// The body of every error answer: `{"error": {"code": "...", "message": "..."}}`.
public struct APIErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// A collector replica working on the shared store, from `GET /v1/replicas`.
public struct ReplicaInfo: Codable, Sendable, Hashable {
    /// Host name, process id and start time.
    public var instance: String
    /// Where it serves HTTP.
    public var address: String
    public var version: String
    public var startedAt: String
    /// When it last reported; replicas report every second or so.
    public var lastSeen: String
    /// Whether it held the leader lock (evaluation, alert delivery, pruning) when it last reported.
    public var leader: Bool

    public init(instance: String, address: String, version: String, startedAt: String, lastSeen: String, leader: Bool) {
        self.instance = instance
        self.address = address
        self.version = version
        self.startedAt = startedAt
        self.lastSeen = lastSeen
        self.leader = leader
    }
}

/// `POST /v1/tokens` body: a named operator token with a scope (`read` or `admin`).
public struct TokenCreateRequest: Codable, Sendable, Hashable {
    public var name: String
    public var scope: String
    public init(name: String, scope: String) {
        self.name = name
        self.scope = scope
    }
}

/// One operator token as `GET /v1/tokens` lists it, and as `POST /v1/tokens` answers (with `token`,
/// shown that once; it is stored only hashed).
public struct TokenInfo: Codable, Sendable, Hashable {
    public var name: String
    public var scope: String
    public var createdAt: String
    public var token: String?
    public init(name: String, scope: String, createdAt: String, token: String? = nil) {
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.token = token
    }
}
