import VigilCore

/// One alert hook from the collector config (DESIGN §8).
public struct HookConfiguration: Sendable, Hashable {
    /// How the event is handed over.
    public enum Kind: Sendable, Hashable {
        /// POST the event JSON to ``HookConfiguration/url``, signed when there is a secret.
        case webhook
        /// POST `{"text": "one readable line"}` to ``HookConfiguration/url`` (Slack, Mattermost, Rocket.Chat
        /// and other incoming-webhook chats).
        case chat
        /// Run a program (no shell) with the event JSON on stdin and `VIGIL_*` variables; exit 0 is delivered.
        case command(argv: [String])
    }

    /// The hook's name (in deliveries and `vigil alerts`).
    public var name: String
    /// How the event is handed over. Default webhook.
    public var kind: Kind = .webhook
    /// Where to POST (webhook and chat); empty for commands.
    public var url: String
    /// The shared secret for `X-Vigil-Signature` (HMAC-SHA256 of the body); no signature when `nil`.
    public var secret: String?
    /// Per-request timeout in ms. Default 10 s.
    public var timeoutMs: Int64 = 10_000
    /// Event types routed here (`nil`: all).
    public var events: Set<String>?
    /// Services routed here (`nil`: all).
    public var services: Set<String>?
    /// Severities routed here (`nil`: all).
    public var severities: Set<AlertSeverity>?

    public init(name: String, url: String, secret: String? = nil) {
        self.name = name
        self.url = url
        self.secret = secret
    }

    /// Whether `event` goes to this hook.
    public func routes(_ event: AlertEvent) -> Bool {
        if let events, !events.contains(event.type) { return false }
        if let services, let service = event.service, !services.contains(service) { return false }
        if let severities, !severities.contains(event.severity) { return false }
        return true
    }
}

/// How the collector evaluates and delivers alerts.
public struct AlertSettings: Sendable, Hashable {
    /// Time between evaluations. Default 5 s.
    public var evaluateEveryMs: Int64 = 5_000
    /// A delivery still failing after this long is marked failed. Default 24 h.
    public var maxAgeMs: Int64 = 86_400_000
    /// An agent with no batch for this long raises `agent.silent`. Default 2 min (agents post at least
    /// every 30 s).
    public var agentSilentAfterMs: Int64 = 120_000
    /// The longest wait between two attempts of a delivery (backoff doubles from 1 s up to it). Default 5 min.
    public var retryMaxDelayMs: Int64 = 300_000
    /// While an outage is open, remind every this long; `nil` (the default) sends no reminders.
    public var reminderEveryMs: Int64?
    /// The hooks, in config order.
    public var hooks: [HookConfiguration] = []

    public init() {}
}
