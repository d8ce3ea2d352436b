import VigilConfig
import VigilCore

/// Reads the `alerts` and `hooks` sections of the collector config.
///
/// ```yaml
/// alerts: {evaluate_every: 5s, max_age: 24h, retry_max_delay: 5m, agent_silent_after: 2m, reminder_every: 1h}
/// hooks:
///   - name: ops
///     type: webhook                 # webhook | chat | command
///     url: https://ops.example/vigil
///     secret: change-me             # X-Vigil-Signature: sha256=HMAC-SHA256(secret, body)
///     timeout: 10s
///     events: [outage.opened, outage.resolved]   # default: all
///     services: [api]                            # default: all
///     severities: [page]                         # default: all
///   - {name: chat, type: chat, url: https://hooks.slack.com/services/…}
///   - {name: log, type: command, command: [/usr/local/bin/page-me, --quiet], timeout: 10s}
/// ```
extension AlertSettings {
    static let keys: Set<String> = ["alerts", "hooks"]

    static func parse(_ root: ConfigObject) throws(ConfigError) -> AlertSettings {
        var settings = AlertSettings()
        if let section = root.optional("alerts") {
            let object = try section.object(allowedKeys: ["evaluate_every", "max_age", "agent_silent_after", "reminder_every", "retry_max_delay"])
            if let delay = object.optional("retry_max_delay") { settings.retryMaxDelayMs = try delay.durationMs() }
            if let every = object.optional("evaluate_every") { settings.evaluateEveryMs = try every.durationMs() }
            if let age = object.optional("max_age") { settings.maxAgeMs = try age.durationMs() }
            if let silent = object.optional("agent_silent_after") { settings.agentSilentAfterMs = try silent.durationMs() }
            if let reminder = object.optional("reminder_every") { settings.reminderEveryMs = try reminder.durationMs() }
        }
        if let section = root.optional("hooks") {
            var names: Set<String> = []
            for item in try section.array() {
                let hook = try parseHook(item)
                guard names.insert(hook.name).inserted else { throw item.error("a hook named \"\(hook.name)\" is already defined") }
                settings.hooks.append(hook)
            }
        }
        return settings
    }

    static func parseHook(_ value: ConfigValue) throws(ConfigError) -> HookConfiguration {
        let object = try value.object(allowedKeys: ["name", "type", "url", "secret", "timeout", "events", "services", "severities", "command"])
        let name = try object.required("name").nonEmptyString()
        let typeValue = try object.required("type")
        let type = try typeValue.string()
        var hook: HookConfiguration
        switch type {
        case "webhook", "chat":
            let urlValue = try object.required("url")
            let url = try urlValue.string()
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw urlValue.error("expected an http:// or https:// URL") }
            hook = HookConfiguration(name: name, url: url, secret: try object.optional("secret")?.nonEmptyString())
            hook.kind = type == "chat" ? .chat : .webhook
        case "command":
            let commandValue = try object.required("command")
            let argv = try commandValue.array().map { item throws(ConfigError) in try item.nonEmptyString() }
            guard !argv.isEmpty else { throw commandValue.error("expected the program and its arguments, e.g. [/usr/local/bin/notify, --quiet]") }
            hook = HookConfiguration(name: name, url: "")
            hook.kind = .command(argv: argv)
        default:
            throw typeValue.error("expected webhook, chat or command")
        }
        if let timeout = object.optional("timeout") { hook.timeoutMs = try timeout.durationMs() }
        if let events = object.optional("events") {
            hook.events = Set(try events.array().map { item throws(ConfigError) in try item.nonEmptyString() })
        }
        if let services = object.optional("services") {
            hook.services = Set(try services.array().map { item throws(ConfigError) in try item.nonEmptyString() })
        }
        if let severities = object.optional("severities") {
            var set: Set<AlertSeverity> = []
            for item in try severities.array() {
                guard let severity = AlertSeverity(rawValue: try item.string()) else { throw item.error("expected page, ticket or info") }
                set.insert(severity)
            }
            hook.severities = set
        }
        return hook
    }
}
