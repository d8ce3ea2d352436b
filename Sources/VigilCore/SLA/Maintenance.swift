/// A maintenance window: planned time excluded from eligible time, with outage alerts suppressed.
public struct MaintenanceWindow: Sendable, Identifiable {
    /// When it applies.
    public enum Schedule: Sendable {
        /// Once, over a UTC span.
        case once(TimeRange)
        /// Every week at these local hours.
        case weekly(WeeklySchedule)
    }

    /// A stable id: a number for windows added through the API, `config-N` for those in the config file.
    public var id: String
    /// The service it covers; `*` covers every service.
    public var service: String
    /// When it applies.
    public var schedule: Schedule
    /// Why (shown in reports and `--explain`).
    public var reason: String

    public init(id: String, service: String, schedule: Schedule, reason: String) {
        self.id = id
        self.service = service
        self.schedule = schedule
        self.reason = reason
    }

    /// Everything that decides what the window covers, as text: two windows with the same fingerprint
    /// exclude the same time from the same services.
    public var fingerprint: String {
        switch schedule {
        case .once(let range):
            return "\(id)|\(service)|once \(range.startMs)-\(range.endMs)"
        case .weekly(let weekly):
            let hours = weekly.hours.map(\.description).joined(separator: ";")
            let exceptions = weekly.exceptions.map(\.daysSinceEpoch).sorted().map(String.init).joined(separator: ",")
            return "\(id)|\(service)|weekly \(weekly.zone.identifier) \(hours) except \(exceptions)"
        }
    }

    /// Whether the window covers `service`.
    public func covers(service name: String) -> Bool { service == "*" || service == name }

    /// The window's UTC stretches inside `window`.
    public func segments(in window: TimeRange) -> [TimeRange] {
        switch schedule {
        case .once(let range):
            let piece = range.clamped(to: window)
            return piece.isEmpty ? [] : [piece]
        case .weekly(let weekly):
            return weekly.segments(in: window)
        }
    }
}
