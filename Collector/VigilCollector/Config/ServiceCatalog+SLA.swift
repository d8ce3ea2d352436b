import VigilConfig
import VigilCore
import VigilWire

extension ServiceCatalog {
    static func parseSLA(_ value: ConfigValue, into policy: inout ServicePolicy, calendars: [String: BusinessCalendar]) throws(ConfigError) {
        let object = try value.object(allowedKeys: [
            "target", "window", "time_zone", "calendar", "method", "timeslice", "timeslice_bad_above", "unknown",
            "latency", "credits", "burn_rates",
        ])
        if let target = object.optional("target") { policy.target = try percentage(target) }
        if let window = object.optional("window") {
            switch try window.string() {
            case "month": policy.period = .month
            case "quarter": policy.period = .quarter
            case "year": policy.period = .year
            default: policy.period = .rolling(ms: try window.durationMs())
            }
        }
        if let zone = object.optional("time_zone") { policy.zone = try self.zone(zone) }
        if let calendar = object.optional("calendar") {
            let name = try calendar.string()
            guard let found = calendars[name] else {
                let known = calendars.keys.sorted().joined(separator: ", ")
                throw calendar.error("unknown calendar \"\(name)\" (defined: \(known))")
            }
            policy.calendar = found
        }
        var sliceMs: Int64 = 60_000
        var badAbove = Percentage(ppm: 0)
        if let slice = object.optional("timeslice") { sliceMs = try slice.durationMs() }
        if let bad = object.optional("timeslice_bad_above") { badAbove = try percentage(bad) }
        policy.timeslice = Timeslicing(lengthMs: sliceMs, badAbove: badAbove)
        if let method = object.optional("method") {
            switch try method.string() {
            case "time": policy.method = .time
            case "occurrences": policy.method = .occurrences
            case "timeslices": policy.method = .timeslices(lengthMs: sliceMs, badAbove: badAbove)
            default: throw method.error("expected time, occurrences or timeslices")
            }
        } else if case .timeslices = policy.method {
            policy.method = .timeslices(lengthMs: sliceMs, badAbove: badAbove)
        }
        if let unknown = object.optional("unknown") {
            guard let parsed = UnknownPolicy(rawValue: try unknown.string()) else { throw unknown.error("expected exclude, up or down") }
            policy.unknownPolicy = parsed
        }
        if let latency = object.optional("latency") {
            let fields = try latency.object(allowedKeys: ["threshold", "target"])
            let threshold = try fields.required("threshold").durationMs()
            policy.latency = LatencyObjective(thresholdMs: Double(threshold), target: try percentage(try fields.required("target")))
        }
        if let rules = object.optional("burn_rates") {
            var parsed: [BurnRateRule] = []
            for item in try rules.array() {
                let fields = try item.object(allowedKeys: ["severity", "long", "short", "factor"])
                let severityValue = try fields.required("severity")
                guard let severity = AlertSeverity(rawValue: try severityValue.string()), severity != .info else {
                    throw severityValue.error("expected page or ticket")
                }
                let long = try fields.required("long").durationMs()
                let shortValue = try fields.required("short")
                let short = try shortValue.durationMs()
                guard short < long else { throw shortValue.error("the short window must be shorter than the long one") }
                let factorValue = try fields.required("factor")
                guard let factor = ExactRatio(decimal: try factorValue.string()), factor > .zero else {
                    throw factorValue.error("expected a decimal number greater than zero, such as 14.4")
                }
                parsed.append(BurnRateRule(severity: severity, longMs: long, shortMs: short, factor: factor))
            }
            policy.burnRules = parsed
        }
        if let credits = object.optional("credits") {
            var tiers: [CreditTier] = []
            for item in try credits.array() {
                let fields = try item.object(allowedKeys: ["below", "credit"])
                tiers.append(CreditTier(below: try percentage(try fields.required("below")), credit: try percentage(try fields.required("credit"))))
            }
            policy.credits = tiers.sorted { $0.below > $1.below }
        }
    }

    static func parseMaintenance(_ value: ConfigValue, id: String) throws(ConfigError) -> MaintenanceWindow {
        let object = try value.object(allowedKeys: ["service", "start", "end", "weekly", "reason"])
        let service = try object.required("service").nonEmptyString()
        let reason = try object.optional("reason")?.string() ?? ""
        if let weeklyValue = object.optional("weekly") {
            let (hours, fields) = try weekly(weeklyValue, extraKeys: ["time_zone"])
            let zone: any ZoneRules = try fields.optional("time_zone").map { value throws(ConfigError) in try self.zone(value) } ?? FixedOffsetZone.utc
            return MaintenanceWindow(id: id, service: service, schedule: .weekly(WeeklySchedule(zone: zone, hours: [hours])), reason: reason)
        }
        let startValue = try object.required("start")
        let endValue = try object.required("end")
        guard let start = ISOTime.parse(try startValue.string()) else { throw startValue.error("expected an ISO 8601 time such as 2026-11-01T02:00:00Z") }
        guard let end = ISOTime.parse(try endValue.string()) else { throw endValue.error("expected an ISO 8601 time such as 2026-11-01T04:00:00Z") }
        guard end > start else { throw endValue.error("end must be after start") }
        return MaintenanceWindow(id: id, service: service, schedule: .once(TimeRange(startMs: start, endMs: end)), reason: reason)
    }
}
