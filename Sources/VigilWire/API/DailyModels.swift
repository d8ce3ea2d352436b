/// `GET /v1/report/daily` (same window parameters as `/v1/report`, and `resolution`): each service's
/// days, or shorter bars, for charts.
public struct ServiceDaysInfo: Codable, Sendable, Hashable {
    public var service: String
    /// The SLA target in percent, when there is one.
    public var targetPercent: Double?
    /// Each bar's length: 86,400 for calendar days (the default), 60 for minutes, …; absent from
    /// collectors older than the parameter (days).
    public var resolutionSeconds: Double?
    public var days: [DayInfo]

    public init(service: String, targetPercent: Double?, resolutionSeconds: Double? = nil, days: [DayInfo]) {
        self.service = service
        self.targetPercent = targetPercent
        self.resolutionSeconds = resolutionSeconds
        self.days = days
    }

    enum CodingKeys: String, CodingKey {
        case service, days
        case targetPercent = "target_percent"
        case resolutionSeconds = "resolution_seconds"
    }
}

/// One calendar day of a service (or one bar of a shorter resolution), in its SLA time zone, counted by
/// time.
public struct DayInfo: Codable, Sendable, Hashable {
    /// `2026-11-21`: the day, or the local date the bar starts on.
    public var date: String
    /// The span counted, ISO 8601 UTC; absent from older collectors.
    public var start: String?
    public var end: String?
    /// `2026-11-21` for a day, `2026-11-21 14:05` (local time) for a shorter bar.
    public var label: String?
    /// Up over up and down time, 0-1; absent without data.
    public var availability: Double?
    public var upSeconds: Double
    public var downSeconds: Double
    public var unknownSeconds: Double
    public var maintenanceSeconds: Double

    public init(
        date: String, start: String? = nil, end: String? = nil, label: String? = nil, availability: Double?, upSeconds: Double,
        downSeconds: Double, unknownSeconds: Double, maintenanceSeconds: Double
    ) {
        self.date = date
        self.start = start
        self.end = end
        self.label = label
        self.availability = availability
        self.upSeconds = upSeconds
        self.downSeconds = downSeconds
        self.unknownSeconds = unknownSeconds
        self.maintenanceSeconds = maintenanceSeconds
    }

    enum CodingKeys: String, CodingKey {
        case date, start, end, label, availability
        case upSeconds = "up_seconds"
        case downSeconds = "down_seconds"
        case unknownSeconds = "unknown_seconds"
        case maintenanceSeconds = "maintenance_seconds"
    }
}

/// `GET /v1/slos`: the availability SLA of each service that has a target, as the config sets it.
public struct SLODefinitionInfo: Codable, Sendable, Hashable {
    public var service: String
    public var targetPercent: Double
    /// `month`, `quarter`, `year`, or a rolling duration such as `30d`.
    public var window: String
    public var timeZone: String
    /// The business calendar's name (`24x7` for always).
    public var calendar: String
    /// `time`, `occurrences` or `timeslices`.
    public var method: String
    /// For `timeslices`: the slice length and the down share a slice may have and still be good.
    public var timesliceSeconds: Double?
    public var timesliceBadAbovePercent: Double?
    /// What unknown time counts as: `exclude`, `up` or `down`.
    public var unknown: String

    public init(
        service: String, targetPercent: Double, window: String, timeZone: String, calendar: String, method: String,
        timesliceSeconds: Double? = nil, timesliceBadAbovePercent: Double? = nil, unknown: String
    ) {
        self.service = service
        self.targetPercent = targetPercent
        self.window = window
        self.timeZone = timeZone
        self.calendar = calendar
        self.method = method
        self.timesliceSeconds = timesliceSeconds
        self.timesliceBadAbovePercent = timesliceBadAbovePercent
        self.unknown = unknown
    }

    enum CodingKeys: String, CodingKey {
        case service, window, calendar, method, unknown
        case targetPercent = "target_percent"
        case timeZone = "time_zone"
        case timesliceSeconds = "timeslice_seconds"
        case timesliceBadAbovePercent = "timeslice_bad_above_percent"
    }
}
