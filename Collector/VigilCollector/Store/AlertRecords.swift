import VigilCore

/// An alert as stored in the outbox: the event and the exact body every hook is sent.
public struct StoredAlert: Sendable, Hashable {
    public var dedupeKey: String
    public var type: String
    public var severity: String
    public var service: String?
    public var occurredMs: Int64
    /// The JSON body, byte for byte what is signed and sent.
    public var body: String
    /// The silence (or maintenance window) that kept it from being delivered, if any.
    public var silencedBy: String?

    public init(dedupeKey: String, type: String, severity: String, service: String?, occurredMs: Int64, body: String, silencedBy: String? = nil) {
        self.silencedBy = silencedBy
        self.dedupeKey = dedupeKey
        self.type = type
        self.severity = severity
        self.service = service
        self.occurredMs = occurredMs
        self.body = body
    }
}

/// Where a delivery stands.
public enum DeliveryState: String, Sendable, Hashable, Codable {
    case pending, delivered, failed
}

/// A delivery waiting for its next attempt.
public struct PendingDelivery: Sendable, Hashable {
    public var alertID: Int64
    public var hook: String
    /// Stable across retries: receivers drop a delivery id they have seen.
    public var deliveryID: String
    public var attempts: Int
    public var alertCreatedMs: Int64
    public var body: String
}

/// An alert with its deliveries, for `vigil alerts`.
public struct AlertRecord: Sendable, Hashable {
    public struct Delivery: Sendable, Hashable {
        public var hook: String
        public var deliveryID: String
        public var state: DeliveryState
        public var attempts: Int
        public var lastError: String
        public var finishedMs: Int64?
    }

    public var id: Int64
    public var alert: StoredAlert
    public var createdMs: Int64
    public var deliveries: [Delivery]
}

/// A silence: events it matches while it lasts are recorded but not delivered.
public struct Silence: Sendable, Hashable {
    /// Store id (0 before it is stored).
    public var id: Int64
    /// Matchers; `nil` matches anything.
    public var service: String?
    public var type: String?
    public var severity: String?
    public var range: TimeRange
    public var reason: String
    public var createdMs: Int64

    public init(id: Int64 = 0, service: String?, type: String?, severity: String?, range: TimeRange, reason: String, createdMs: Int64) {
        self.id = id
        self.service = service
        self.type = type
        self.severity = severity
        self.range = range
        self.reason = reason
        self.createdMs = createdMs
    }

    /// Whether the silence covers an event of this type, severity and service at `atMs`.
    public func matches(type: String, severity: String, service: String?, atMs: Int64) -> Bool {
        guard range.startMs <= atMs && atMs < range.endMs else { return false }
        if let wanted = self.service, wanted != service { return false }
        if let wanted = self.type, wanted != type { return false }
        if let wanted = self.severity, wanted != severity { return false }
        return true
    }
}
