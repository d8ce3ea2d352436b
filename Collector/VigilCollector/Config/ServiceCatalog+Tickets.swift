import VigilConfig
import VigilCore

/// Reads the `tickets` section of the collector config.
///
/// ```yaml
/// tickets:
///   pause_statuses: [pending, on_hold]     # statuses that stop every clock
///   at_risk_below: 25                      # % of the target left that makes a running clock at risk
///   satisfaction: {target: 90, period: quarter}
///   correlation: {before: 15m, after: 2h}  # tickets created in [outage start − before, end + after]
///   surge: {window: 1h, baseline: 7d, factor: 3, min_tickets: 5}
///   policies:                              # ordered; the first match applies
///     - name: complex-technical
///       match: {categories: [technical]}   # priorities, categories, tags (any of each; all given must match)
///       first_response: 24h                # or {target: 24h, calendar: business}
///       resolution: 72h
///     - name: simple-request
///       first_response: 24h
///       resolution: 48h
/// ```
extension ServiceCatalog {
    static func parseTickets(_ value: ConfigValue, calendars: [String: BusinessCalendar]) throws(ConfigError) -> TicketSettings {
        let object = try value.object(allowedKeys: ["pause_statuses", "at_risk_below", "satisfaction", "correlation", "surge", "policies"])
        var settings = TicketSettings()
        if let list = object.optional("pause_statuses") {
            settings.pauseStatuses = Set(try list.array().map { item throws(ConfigError) in try status(item) })
        }
        if let share = object.optional("at_risk_below") { settings.atRiskBelow = try percentage(share) }
        if let satisfaction = object.optional("satisfaction") {
            let fields = try satisfaction.object(allowedKeys: ["target", "period"])
            if let target = fields.optional("target") { settings.satisfactionTarget = try percentage(target) }
            if let period = fields.optional("period") {
                switch try period.string() {
                case "month": settings.satisfactionPeriod = .month
                case "quarter": settings.satisfactionPeriod = .quarter
                case "year": settings.satisfactionPeriod = .year
                default: settings.satisfactionPeriod = .rolling(ms: try period.durationMs())
                }
            }
        }
        if let correlation = object.optional("correlation") {
            let fields = try correlation.object(allowedKeys: ["before", "after"])
            if let before = fields.optional("before") { settings.correlationBeforeMs = try before.durationMs() }
            if let after = fields.optional("after") { settings.correlationAfterMs = try after.durationMs() }
        }
        if let surge = object.optional("surge") {
            let fields = try surge.object(allowedKeys: ["window", "baseline", "factor", "min_tickets"])
            if let window = fields.optional("window") { settings.surge.windowMs = try window.durationMs() }
            if let baseline = fields.optional("baseline") { settings.surge.baselineMs = try baseline.durationMs() }
            if let factor = fields.optional("factor") {
                let number = try factor.double()
                guard number > 0 else { throw factor.error("must be greater than zero") }
                settings.surge.factor = number
            }
            if let minimum = fields.optional("min_tickets") { settings.surge.minimumTickets = try positive(minimum) }
        }
        if let policies = object.optional("policies") {
            settings.policies = []
            for item in try policies.array() { settings.policies.append(try parseTicketPolicy(item, calendars: calendars)) }
        }
        return settings
    }

    static func status(_ value: ConfigValue) throws(ConfigError) -> TicketStatus {
        let text = try value.string()
        guard let status = TicketStatus(loose: text) else {
            throw value.error("unknown status \"\(text)\" (expected new, open, pending, on_hold, solved or closed)")
        }
        return status
    }

    static func parseTicketPolicy(_ value: ConfigValue, calendars: [String: BusinessCalendar]) throws(ConfigError) -> TicketPolicy {
        let object = try value.object(allowedKeys: ["name", "match", "first_response", "next_reply", "resolution"])
        var policy = TicketPolicy(name: try object.required("name").nonEmptyString(), targets: [:])
        if let match = object.optional("match") {
            let fields = try match.object(allowedKeys: ["priorities", "categories", "tags"])
            if let list = fields.optional("priorities") {
                var priorities: Set<TicketPriority> = []
                for item in try list.array() {
                    guard let priority = TicketPriority(rawValue: try item.string()) else {
                        throw item.error("expected low, normal, high or urgent")
                    }
                    priorities.insert(priority)
                }
                policy.priorities = priorities
            }
            if let list = fields.optional("categories") {
                policy.categories = Set(try list.array().map { item throws(ConfigError) in try item.nonEmptyString() })
            }
            if let list = fields.optional("tags") {
                policy.tags = Set(try list.array().map { item throws(ConfigError) in try item.nonEmptyString() })
            }
        }
        for metric in TicketMetric.allCases {
            guard let target = object.optional(metric.rawValue) else { continue }
            if let duration = try? target.durationMs() {
                policy.targets[metric] = TicketTarget(durationMs: duration)
                continue
            }
            let fields = try target.object(allowedKeys: ["target", "calendar"])
            var parsed = TicketTarget(durationMs: try fields.required("target").durationMs())
            if let calendar = fields.optional("calendar") {
                let name = try calendar.string()
                guard let found = calendars[name] else {
                    throw calendar.error("unknown calendar \"\(name)\" (defined: \(calendars.keys.sorted().joined(separator: ", ")))")
                }
                parsed.calendar = found
            }
            policy.targets[metric] = parsed
        }
        guard !policy.targets.isEmpty else {
            throw value.error("a policy needs at least one of first_response, next_reply, resolution")
        }
        return policy
    }
}
