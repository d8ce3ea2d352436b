import VigilConfig
import VigilCore
import VigilWire

/// Reads the `calendars`, `defaults`, `services` and `maintenance` sections of the collector config.
///
/// ```yaml
/// calendars:
///   business:
///     time_zone: America/New_York
///     hours: [{days: mon-fri, from: "09:00", to: "17:00"}]
///     holidays: [2026-12-25]
/// defaults: {quorum: majority, failure_threshold: 2, success_threshold: 1}
/// services:
///   api:
///     quorum: majority            # any | all | majority | a number of locations that must see it up
///     failure_threshold: 2
///     success_threshold: 1
///     sla:
///       target: 99.9
///       window: month             # month | quarter | year | a rolling duration such as 30d
///       time_zone: UTC
///       calendar: business        # default 24x7
///       method: time              # time | occurrences | timeslices
///       timeslice: 1m             # slice length for timeslices
///       timeslice_bad_above: 0    # a slice is bad when more than this % of it is down
///       unknown: exclude          # exclude | up | down
///       latency: {threshold: 300ms, target: 99}
///       credits: [{below: 99.9, credit: 10}, {below: 99, credit: 25}, {below: 95, credit: 100}]
///       burn_rates:               # factors for a 30-day period, scaled to the window; default the SRE workbook's
///         - {severity: page, long: 1h, short: 5m, factor: 14.4}
/// maintenance:
///   - {service: api, start: 2026-11-01T02:00:00Z, end: 2026-11-01T04:00:00Z, reason: database upgrade}
///   - {service: "*", weekly: {days: sun, from: "02:00", to: "04:00", time_zone: Europe/Berlin}, reason: patching}
/// ```
extension ServiceCatalog {
    static let keys: Set<String> = ["calendars", "defaults", "services", "maintenance", "tickets"]

    /// Reads the sections from the root mapping of the collector config.
    static func parse(_ root: ConfigObject) throws(ConfigError) -> ServiceCatalog {
        var catalog = ServiceCatalog()
        var calendars: [String: BusinessCalendar] = ["24x7": .alwaysOpen]
        if let section = root.optional("calendars") {
            for (name, value) in try section.object(allowedKeys: nil).entries.sorted(by: { $0.key < $1.key }) {
                calendars[name] = try parseCalendar(name: name, value)
            }
        }
        if let section = root.optional("defaults") {
            catalog.defaults = try parsePolicy(section, base: ServicePolicy(), calendars: calendars)
        }
        if let section = root.optional("services") {
            for (name, value) in try section.object(allowedKeys: nil).entries {
                catalog.services[name] = try parsePolicy(value, base: catalog.defaults, calendars: calendars)
                if let aliases = try value.object(allowedKeys: nil).optional("aliases") {
                    catalog.aliases[name] = try aliases.array().map { item throws(ConfigError) in try item.nonEmptyString() }
                }
                if let agents = try value.object(allowedKeys: nil).optional("agents") {
                    catalog.reporters[name] = Set(try agents.array().map { item throws(ConfigError) in try item.nonEmptyString() })
                }
            }
        }
        if let section = root.optional("tickets") {
            catalog.tickets = try parseTickets(section, calendars: calendars)
        }
        if let section = root.optional("maintenance") {
            for (index, value) in try section.array().enumerated() {
                catalog.maintenance.append(try parseMaintenance(value, id: "config-\(index + 1)"))
            }
        }
        return catalog
    }

    static func zone(_ value: ConfigValue) throws(ConfigError) -> any ZoneRules {
        let name = try value.nonEmptyString()
        guard let zone = SystemZone.named(name) else {
            throw value.error("unknown time zone \"\(name)\" (use a tz database name such as Europe/Berlin or UTC)")
        }
        return zone
    }

    static func percentage(_ value: ConfigValue) throws(ConfigError) -> Percentage {
        let text = try value.string()
        guard let percent = Percentage(text) else {
            throw value.error("expected a percentage between 0 and 100 with at most 4 decimals, e.g. 99.9")
        }
        return percent
    }

    static func weekly(_ value: ConfigValue, extraKeys: Set<String> = []) throws(ConfigError) -> (WeeklyHours, ConfigObject) {
        let object = try value.object(allowedKeys: Set(["days", "from", "to"]).union(extraKeys))
        do {
            let daysValue = try object.required("days")
            let days: Set<Weekday>
            if let list = try? daysValue.array() {
                var all: Set<Weekday> = []
                for item in list { all.formUnion(try Weekday.parseSet(try item.string())) }
                days = all
            } else {
                days = try Weekday.parseSet(try daysValue.string())
            }
            let hours = try WeeklyHours(days: days, from: try object.required("from").string(), to: try object.required("to").string())
            return (hours, object)
        } catch let error as ConfigError {
            throw error
        } catch let error as WeeklyHours.ParseError {
            throw value.error(error.description)
        } catch {
            throw value.error("\(error)")
        }
    }

    static func parseCalendar(name: String, _ value: ConfigValue) throws(ConfigError) -> BusinessCalendar {
        let object = try value.object(allowedKeys: ["time_zone", "hours", "holidays"])
        let zone = try zone(try object.required("time_zone"))
        var hours: [WeeklyHours] = []
        for entry in try object.required("hours").array() { hours.append(try weekly(entry).0) }
        var holidays: Set<CivilDate> = []
        if let list = object.optional("holidays") {
            for item in try list.array() {
                guard let date = CivilDate(try item.string()) else { throw item.error("expected a date YYYY-MM-DD") }
                holidays.insert(date)
            }
        }
        return BusinessCalendar(name: name, schedule: WeeklySchedule(zone: zone, hours: hours, exceptions: holidays))
    }

    static func parsePolicy(
        _ value: ConfigValue, base: ServicePolicy, calendars: [String: BusinessCalendar]
    ) throws(ConfigError) -> ServicePolicy {
        let object = try value.object(allowedKeys: ["quorum", "failure_threshold", "success_threshold", "sla", "aliases", "agents"])
        var policy = base
        if let quorum = object.optional("quorum") {
            guard let parsed = Quorum(try quorum.string()) else {
                throw quorum.error("expected any, all, majority or a number of locations (1 or more)")
            }
            policy.quorum = parsed
        }
        var failures = policy.confirmation.failureThreshold
        var successes = policy.confirmation.successThreshold
        if let item = object.optional("failure_threshold") { failures = try positive(item) }
        if let item = object.optional("success_threshold") { successes = try positive(item) }
        policy.confirmation = Confirmation(failureThreshold: failures, successThreshold: successes)
        if let sla = object.optional("sla") { try parseSLA(sla, into: &policy, calendars: calendars) }
        return policy
    }

    static func positive(_ value: ConfigValue) throws(ConfigError) -> Int {
        let number = try value.int()
        guard number >= 1 else { throw value.error("must be at least 1") }
        return number
    }
}
