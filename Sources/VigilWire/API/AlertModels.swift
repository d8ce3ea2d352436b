/// An alert and where its deliveries stand: `GET /v1/alerts`.
public struct AlertInfo: Codable, Sendable, Hashable {
    public var id: Int64
    public var type: String
    public var severity: String
    public var service: String?
    public var occurredAt: String
    public var createdAt: String
    public var dedupeKey: String
    public var summary: String
    /// The silence that kept it from being delivered, if any.
    public var silencedBy: String?
    public var deliveries: [DeliveryInfo]

    public init(
        id: Int64, type: String, severity: String, service: String?, occurredAt: String, createdAt: String, dedupeKey: String,
        summary: String, silencedBy: String? = nil, deliveries: [DeliveryInfo]
    ) {
        self.silencedBy = silencedBy
        self.id = id
        self.type = type
        self.severity = severity
        self.service = service
        self.occurredAt = occurredAt
        self.createdAt = createdAt
        self.dedupeKey = dedupeKey
        self.summary = summary
        self.deliveries = deliveries
    }

    enum CodingKeys: String, CodingKey {
        case id, type, severity, service, summary, deliveries
        case occurredAt = "occurred_at", createdAt = "created_at", dedupeKey = "dedupe_key", silencedBy = "silenced_by"
    }
}

/// A silence: `GET /v1/silences`, `POST /v1/silences` (`{"service", "type", "severity", "start", "end" or
/// "duration", "reason"}`; matchers left out match anything).
public struct SilenceInfo: Codable, Sendable, Hashable {
    public var id: String?
    public var service: String?
    public var type: String?
    public var severity: String?
    public var start: String?
    public var end: String?
    public var duration: String?
    public var reason: String?

    public init(
        id: String? = nil, service: String? = nil, type: String? = nil, severity: String? = nil, start: String? = nil,
        end: String? = nil, duration: String? = nil, reason: String? = nil
    ) {
        self.id = id
        self.service = service
        self.type = type
        self.severity = severity
        self.start = start
        self.end = end
        self.duration = duration
        self.reason = reason
    }
}

/// One hook's delivery of an alert.
public struct DeliveryInfo: Codable, Sendable, Hashable {
    public var hook: String
    public var deliveryID: String
    /// pending, delivered, failed.
    public var state: String
    public var attempts: Int
    public var lastError: String
    public var finishedAt: String?

    public init(hook: String, deliveryID: String, state: String, attempts: Int, lastError: String, finishedAt: String?) {
        self.hook = hook
        self.deliveryID = deliveryID
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case hook, state, attempts
        case deliveryID = "delivery_id", lastError = "last_error", finishedAt = "finished_at"
    }
}

/// `POST /v1/hooks/{name}/test`: what the receiver answered to a test event.
public struct HookTestResult: Codable, Sendable, Hashable {
    public var hook: String
    public var delivered: Bool
    /// `HTTP 200`, or the error.
    public var answer: String
    public var milliseconds: Double

    public init(hook: String, delivered: Bool, answer: String, milliseconds: Double) {
        self.hook = hook
        self.delivered = delivered
        self.answer = answer
        self.milliseconds = milliseconds
    }
}
