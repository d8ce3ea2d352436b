import Foundation
import VigilCore
import VigilWire

/// A registered agent as the store knows it.
public struct AgentRecord: Sendable, Hashable, Codable {
    /// Store id.
    public var id: Int64
    /// Unique name given at registration.
    public var name: String
    /// When it was registered (ms since epoch).
    public var createdMs: Int64
    /// When its last batch arrived, if ever.
    public var lastSeenMs: Int64?
    /// The version its last batch reported.
    public var agentVersion: String?
    /// Its current session.
    public var sessionID: String?
    /// Batches stored.
    public var batches: Int64
    /// Heartbeats stored.
    public var heartbeats: Int64
    /// Heartbeats it reported dropping (spool full) in total.
    public var dropped: Int64
    /// Timestamp of the newest heartbeat it sent, if any.
    public var lastHeartbeatMs: Int64?
    /// Whether its token was revoked (`vigil agents revoke`); its history stays.
    public var revoked: Bool
    /// Its clock minus the collector's when its last batch arrived (`X-Vigil-Sent-At`), if it said.
    public var clockOffsetMs: Int64?
    /// The sum of the clock steps its stamping clock re-anchored on, as its newest heartbeat said.
    public var clockAdjustMs: Int64?
    /// The services it may report; `nil` for any (issue 19).
    public var scope: ServiceScope?

    public init(
        id: Int64, name: String, createdMs: Int64, lastSeenMs: Int64? = nil, agentVersion: String? = nil,
        sessionID: String? = nil, batches: Int64 = 0, heartbeats: Int64 = 0, dropped: Int64 = 0,
        lastHeartbeatMs: Int64? = nil, revoked: Bool = false, clockOffsetMs: Int64? = nil, clockAdjustMs: Int64? = nil,
        scope: ServiceScope? = nil
    ) {
        self.scope = scope
        self.clockOffsetMs = clockOffsetMs
        self.clockAdjustMs = clockAdjustMs
        self.id = id
        self.name = name
        self.createdMs = createdMs
        self.lastSeenMs = lastSeenMs
        self.agentVersion = agentVersion
        self.sessionID = sessionID
        self.batches = batches
        self.heartbeats = heartbeats
        self.dropped = dropped
        self.lastHeartbeatMs = lastHeartbeatMs
        self.revoked = revoked
    }
}

/// A check as stored: one per (agent, check name), updated when its definition changes.
public struct CheckRecord: Sendable, Hashable {
    /// Store id.
    public var id: Int64
    /// The agent that runs it.
    public var agentName: String
    /// The definition (its `id` is the agent-local id last seen).
    public var definition: CheckDefinition
    /// The newest heartbeat's time, status and message, if any.
    public var lastHeartbeat: Heartbeat?

    public init(id: Int64, agentName: String, definition: CheckDefinition, lastHeartbeat: Heartbeat?) {
        self.id = id
        self.agentName = agentName
        self.definition = definition
        self.lastHeartbeat = lastHeartbeat
    }
}

/// A batch ready to be stored: already authenticated, decoded and validated.
public struct IngestBatch: Sendable {
    /// The agent the token belongs to.
    public var agentID: Int64
    /// The decoded batch.
    public var batch: Batch
    /// The body exactly as received (still compressed), kept for audit.
    public var rawBody: [UInt8]
    /// The `Content-Type` it came with.
    public var contentType: String
    /// The `Content-Encoding` it came with.
    public var contentEncoding: String
    /// Arrival time (ms since epoch).
    public var receivedMs: Int64
    /// Heartbeats older than this are refused (retention).
    public var oldestAcceptedMs: Int64
    /// Heartbeats newer than this are refused (clock skew).
    public var newestAcceptedMs: Int64
    /// The agent's clock when it sent the batch minus `receivedMs` (`X-Vigil-Sent-At`), when it said.
    public var clockOffsetMs: Int64?
    /// The sum of the agent's clock steps carried by the batch's newest heartbeat, when it has heartbeats.
    public var clockAdjustMs: Int64?
    /// Which services the agent may report; `nil`: any (imports, tests).
    public var permission: ReportingPermission?
    /// Definitions taken out of the batch before storing because the agent may not report their service,
    /// by check id, with the reason: their heartbeats are refused with it.
    public var refusedDefinitions: [UInt32: RefusedDefinition] = [:]
    /// How much the agent and all agents may define; `nil`: no limit.
    public var limits: DefinitionLimits?

    public init(
        agentID: Int64, batch: Batch, rawBody: [UInt8], contentType: String, contentEncoding: String,
        receivedMs: Int64, oldestAcceptedMs: Int64, newestAcceptedMs: Int64, clockOffsetMs: Int64? = nil, clockAdjustMs: Int64? = nil
    ) {
        self.clockOffsetMs = clockOffsetMs
        self.clockAdjustMs = clockAdjustMs
        self.agentID = agentID
        self.batch = batch
        self.rawBody = rawBody
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.receivedMs = receivedMs
        self.oldestAcceptedMs = oldestAcceptedMs
        self.newestAcceptedMs = newestAcceptedMs
    }
}

/// A check definition an agent may not make, and why.
public struct RefusedDefinition: Sendable, Hashable {
    public var service: String
    public var reason: String

    public init(service: String, reason: String) {
        self.service = service
        self.reason = reason
    }
}

/// What storing a batch did.
public struct IngestOutcome: Sendable, Hashable {
    /// Heartbeats stored.
    public var accepted: Int
    /// `true` when the (agent, session, seq) was already stored; nothing changed.
    public var duplicate: Bool
    /// Heartbeats refused, by index, with the reason.
    public var rejected: [BatchAck.Rejection]
    /// Whether a heartbeat referenced a check id unknown for the session.
    public var unknownCheck: Bool
    /// Heartbeats refused because the agent may not report their service, by service.
    public var outOfScope: [String: Int]

    public init(accepted: Int, duplicate: Bool, rejected: [BatchAck.Rejection], unknownCheck: Bool, outOfScope: [String: Int] = [:]) {
        self.accepted = accepted
        self.duplicate = duplicate
        self.rejected = rejected
        self.unknownCheck = unknownCheck
        self.outOfScope = outOfScope
    }
}

/// A collector process working on the store, as it last reported itself (DESIGN §9: several replicas
/// on one PostgreSQL, one of them leading evaluation and alert delivery).
public struct ReplicaRecord: Sendable, Hashable, Codable {
    /// Unique per process: host name, process id and start time.
    public var instance: String
    /// Where it serves HTTP.
    public var address: String
    /// Its version.
    public var version: String
    /// When it started (ms since epoch).
    public var startedMs: Int64
    /// When it last reported (ms since epoch).
    public var lastSeenMs: Int64
    /// Whether it held the leader lock then.
    public var leader: Bool

    public init(instance: String, address: String, version: String, startedMs: Int64, lastSeenMs: Int64, leader: Bool) {
        self.instance = instance
        self.address = address
        self.version = version
        self.startedMs = startedMs
        self.lastSeenMs = lastSeenMs
        self.leader = leader
    }
}

/// How an agent's scope is stored: a JSON array of its patterns (a pattern may hold a comma).
extension Store {
    static func scopeText(_ scope: ServiceScope) throws -> String {
        String(decoding: try JSONEncoder().encode(scope.patterns), as: UTF8.self)
    }

    static func scope(_ text: String?) -> ServiceScope? {
        guard let text, let patterns = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return nil }
        return try? ServiceScope(patterns)
    }
}
