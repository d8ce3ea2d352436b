/// An alert as stored in the outbox: the event and the exact body every hook is sent.
public struct StoredAlert: Sendable, Hashable {
    public var dedupeKey: String
    public var type: String
    public var severity: String
    public var service: String?
    public var occurredMs: Int64
    /// The JSON body, byte for byte what is signed and sent.
    public var body: String

    public init(dedupeKey: String, type: String, severity: String, service: String?, occurredMs: Int64, body: String) {
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
