/// One service's SLA figures over a window: `GET /v1/services/{service}/sla`, and each row of
/// `GET /v1/report`. Field meanings are in the README ("SLA report fields"); times are ISO 8601, durations
/// seconds, shares fractions of 1 (0.999 is 99.9 %).
public struct SLAReportInfo: Codable, Sendable, Hashable {
    public var service: String
    /// `2026-10`, `2026-Q4`, `2026`, `last 30d` or `custom`.
    public var window: String
    public var from: String
    public var to: String
    /// Where evaluation stopped: `to`, or now for a window still running.
    public var evaluatedTo: String
    public var method: String
    /// The target in percent (`99.9`), absent without an SLA.
    public var targetPercent: Double?
    public var unknownPolicy: String
    public var calendar: String
    public var timeZone: String
    public var checks: Int
    public var availability: Double?
    public var availabilityByMethod: [String: Double]
    public var coverage: Double?
    public var upSeconds: Double
    public var degradedSeconds: Double
    public var downSeconds: Double
    public var unknownSeconds: Double
    public var maintenanceSeconds: Double
    public var outsideCalendarSeconds: Double
    public var eligibleSeconds: Double
    /// Good and counted units of the method (milliseconds, probes or slices).
    public var good: Int64
    public var counted: Int64
    public var met: Bool?
    public var missedByPoints: Double?
    public var errorBudget: ErrorBudgetInfo?
    public var burnRates: [BurnRateInfo]
    public var outageCount: Int
    public var totalDowntimeSeconds: Double
    public var longestOutageSeconds: Double?
    public var mttrSeconds: Double?
    public var mtbfSeconds: Double?
    public var meanTimeToDetectSeconds: Double?
    public var blips: Int
    public var latency: LatencyInfo
    /// The credit reached, in percent of the fee, and the tier's boundary.
    public var creditPercent: Double?
    public var creditBelowPercent: Double?
    public var outages: [OutageInfo]
    /// Present with `explain=true`.
    public var explain: ExplainInfo?

    public init(service: String, window: String, from: String, to: String, evaluatedTo: String, method: String, targetPercent: Double? = nil, unknownPolicy: String, calendar: String, timeZone: String, checks: Int, availability: Double? = nil, availabilityByMethod: [String: Double], coverage: Double? = nil, upSeconds: Double, degradedSeconds: Double, downSeconds: Double, unknownSeconds: Double, maintenanceSeconds: Double, outsideCalendarSeconds: Double, eligibleSeconds: Double, good: Int64, counted: Int64, met: Bool? = nil, missedByPoints: Double? = nil, errorBudget: ErrorBudgetInfo? = nil, burnRates: [BurnRateInfo], outageCount: Int, totalDowntimeSeconds: Double, longestOutageSeconds: Double? = nil, mttrSeconds: Double? = nil, mtbfSeconds: Double? = nil, meanTimeToDetectSeconds: Double? = nil, blips: Int, latency: LatencyInfo, creditPercent: Double? = nil, creditBelowPercent: Double? = nil, outages: [OutageInfo], explain: ExplainInfo? = nil) {
        self.service = service
        self.window = window
        self.from = from
        self.to = to
        self.evaluatedTo = evaluatedTo
        self.method = method
        self.targetPercent = targetPercent
        self.unknownPolicy = unknownPolicy
        self.calendar = calendar
        self.timeZone = timeZone
        self.checks = checks
        self.availability = availability
        self.availabilityByMethod = availabilityByMethod
        self.coverage = coverage
        self.upSeconds = upSeconds
        self.degradedSeconds = degradedSeconds
        self.downSeconds = downSeconds
        self.unknownSeconds = unknownSeconds
        self.maintenanceSeconds = maintenanceSeconds
        self.outsideCalendarSeconds = outsideCalendarSeconds
        self.eligibleSeconds = eligibleSeconds
        self.good = good
        self.counted = counted
        self.met = met
        self.missedByPoints = missedByPoints
        self.errorBudget = errorBudget
        self.burnRates = burnRates
        self.outageCount = outageCount
        self.totalDowntimeSeconds = totalDowntimeSeconds
        self.longestOutageSeconds = longestOutageSeconds
        self.mttrSeconds = mttrSeconds
        self.mtbfSeconds = mtbfSeconds
        self.meanTimeToDetectSeconds = meanTimeToDetectSeconds
        self.blips = blips
        self.latency = latency
        self.creditPercent = creditPercent
        self.creditBelowPercent = creditBelowPercent
        self.outages = outages
        self.explain = explain
    }

    enum CodingKeys: String, CodingKey {
        case service, window, from, to, method, calendar, checks, availability, coverage, good, counted, met, blips, latency
        case outages, explain
        case evaluatedTo = "evaluated_to", targetPercent = "target_percent", unknownPolicy = "unknown_policy"
        case timeZone = "time_zone", availabilityByMethod = "availability_by_method", upSeconds = "up_seconds"
        case degradedSeconds = "degraded_seconds", downSeconds = "down_seconds", unknownSeconds = "unknown_seconds"
        case maintenanceSeconds = "maintenance_seconds", outsideCalendarSeconds = "outside_calendar_seconds"
        case eligibleSeconds = "eligible_seconds", missedByPoints = "missed_by_points", errorBudget = "error_budget"
        case burnRates = "burn_rates", outageCount = "outage_count", totalDowntimeSeconds = "total_downtime_seconds"
        case longestOutageSeconds = "longest_outage_seconds", mttrSeconds = "mttr_seconds", mtbfSeconds = "mtbf_seconds"
        case meanTimeToDetectSeconds = "mean_time_to_detect_seconds", creditPercent = "credit_percent"
        case creditBelowPercent = "credit_below_percent"
    }
}

/// The error budget in the method's unit.
public struct ErrorBudgetInfo: Codable, Sendable, Hashable {
    /// `seconds`, `probes` or `slices`.
    public var unit: String
    public var total: Double
    public var consumed: Double
    public var remaining: Double
    public var remainingRatio: Double?

    public init(unit: String, total: Double, consumed: Double, remaining: Double, remainingRatio: Double? = nil) {
        self.unit = unit
        self.total = total
        self.consumed = consumed
        self.remaining = remaining
        self.remainingRatio = remainingRatio
    }

    enum CodingKeys: String, CodingKey {
        case unit, total, consumed, remaining
        case remainingRatio = "remaining_ratio"
    }
}

/// A burn rate over a look-back window ending at the evaluated end.
public struct BurnRateInfo: Codable, Sendable, Hashable {
    /// `1h`, `6h`, `1d`, `3d`.
    public var window: String
    public var rate: Double?

    public init(window: String, rate: Double? = nil) {
        self.window = window
        self.rate = rate
    }
}

/// Latency percentiles and objective attainment from the rollups.
public struct LatencyInfo: Codable, Sendable, Hashable {
    public var probes: Int64
    public var p50Ms: Double?
    public var p95Ms: Double?
    public var p99Ms: Double?
    public var thresholdMs: Double?
    public var objectivePercent: Double?
    public var attainment: Double?
    public var met: Bool?

    public init(probes: Int64, p50Ms: Double? = nil, p95Ms: Double? = nil, p99Ms: Double? = nil, thresholdMs: Double? = nil, objectivePercent: Double? = nil, attainment: Double? = nil, met: Bool? = nil) {
        self.probes = probes
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.p99Ms = p99Ms
        self.thresholdMs = thresholdMs
        self.objectivePercent = objectivePercent
        self.attainment = attainment
        self.met = met
    }

    enum CodingKeys: String, CodingKey {
        case probes, attainment, met
        case p50Ms = "p50_ms", p95Ms = "p95_ms", p99Ms = "p99_ms", thresholdMs = "threshold_ms"
        case objectivePercent = "objective_percent"
    }
}

/// An outage: `GET /v1/outages` and inside reports.
public struct OutageInfo: Codable, Sendable, Hashable {
    /// `service:start_ms`.
    public var id: String
    public var service: String
    public var start: String
    /// Absent while ongoing.
    public var end: String?
    public var ongoing: Bool
    public var durationSeconds: Double
    /// Down time inside eligible time (calendar, minus maintenance) of the report window.
    public var eligibleDownSeconds: Double
    public var locations: [String]
    public var firstMessage: String
    public var detectedAt: String?
    public var timeToDetectSeconds: Double?
    public var inMaintenance: Bool

    public init(id: String, service: String, start: String, end: String? = nil, ongoing: Bool, durationSeconds: Double, eligibleDownSeconds: Double, locations: [String], firstMessage: String, detectedAt: String? = nil, timeToDetectSeconds: Double? = nil, inMaintenance: Bool) {
        self.id = id
        self.service = service
        self.start = start
        self.end = end
        self.ongoing = ongoing
        self.durationSeconds = durationSeconds
        self.eligibleDownSeconds = eligibleDownSeconds
        self.locations = locations
        self.firstMessage = firstMessage
        self.detectedAt = detectedAt
        self.timeToDetectSeconds = timeToDetectSeconds
        self.inMaintenance = inMaintenance
    }

    enum CodingKeys: String, CodingKey {
        case id, service, start, end, ongoing, locations
        case durationSeconds = "duration_seconds", eligibleDownSeconds = "eligible_down_seconds"
        case firstMessage = "first_message", detectedAt = "detected_at", timeToDetectSeconds = "time_to_detect_seconds"
        case inMaintenance = "in_maintenance"
    }
}

/// What a figure was computed from (`--explain`).
public struct ExplainInfo: Codable, Sendable, Hashable {
    /// The service's states over the evaluated window.
    public var segments: [SegmentInfo]
    /// Time left out: maintenance windows and time outside the calendar.
    public var exclusions: [ExclusionInfo]
    /// Each location's figures over eligible time and its blips.
    public var locations: [LocationInfo]

    public init(segments: [SegmentInfo], exclusions: [ExclusionInfo], locations: [LocationInfo]) {
        self.segments = segments
        self.exclusions = exclusions
        self.locations = locations
    }
}

/// A stretch of one service state.
public struct SegmentInfo: Codable, Sendable, Hashable {
    public var status: String
    public var from: String
    public var to: String
    public var seconds: Double

    public init(status: String, from: String, to: String, seconds: Double) {
        self.status = status
        self.from = from
        self.to = to
        self.seconds = seconds
    }
}

/// A stretch of excluded time.
public struct ExclusionInfo: Codable, Sendable, Hashable {
    /// `maintenance` or `calendar`.
    public var kind: String
    public var from: String
    public var to: String
    public var seconds: Double
    public var detail: String

    public init(kind: String, from: String, to: String, seconds: Double, detail: String) {
        self.kind = kind
        self.from = from
        self.to = to
        self.seconds = seconds
        self.detail = detail
    }
}

/// One location's figures.
public struct LocationInfo: Codable, Sendable, Hashable {
    public var name: String
    public var upSeconds: Double
    public var downSeconds: Double
    public var unknownSeconds: Double
    public var blips: [BlipInfo]

    public init(name: String, upSeconds: Double, downSeconds: Double, unknownSeconds: Double, blips: [BlipInfo]) {
        self.name = name
        self.upSeconds = upSeconds
        self.downSeconds = downSeconds
        self.unknownSeconds = unknownSeconds
        self.blips = blips
    }

    enum CodingKeys: String, CodingKey {
        case name, blips
        case upSeconds = "up_seconds", downSeconds = "down_seconds", unknownSeconds = "unknown_seconds"
    }
}

/// An unconfirmed failure streak (counted as up).
public struct BlipInfo: Codable, Sendable, Hashable {
    public var from: String
    public var to: String
    public var failures: Int64
    public var message: String

    public init(from: String, to: String, failures: Int64, message: String) {
        self.from = from
        self.to = to
        self.failures = failures
        self.message = message
    }
}

/// A maintenance window: `GET /v1/maintenance`.
public struct MaintenanceInfo: Codable, Sendable, Hashable {
    /// A number for windows added through the API; `config-N` for those from the config file.
    public var id: String
    public var service: String
    /// `once` or `weekly`.
    public var kind: String
    public var start: String?
    public var end: String?
    /// `sun 02:00-04:00` for weekly windows.
    public var weekly: String?
    public var timeZone: String?
    public var reason: String
    /// `config` or `api` (only `api` windows can be removed).
    public var source: String

    public init(id: String, service: String, kind: String, start: String? = nil, end: String? = nil, weekly: String? = nil, timeZone: String? = nil, reason: String, source: String) {
        self.id = id
        self.service = service
        self.kind = kind
        self.start = start
        self.end = end
        self.weekly = weekly
        self.timeZone = timeZone
        self.reason = reason
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, service, kind, start, end, weekly, reason, source
        case timeZone = "time_zone"
    }
}

/// `POST /v1/maintenance`: a one-off window (`start` with `end` or `duration`) or a weekly one.
public struct MaintenanceCreate: Codable, Sendable, Hashable {
    public var service: String
    public var start: String?
    public var end: String?
    /// `2h`, instead of `end`.
    public var duration: String?
    /// `sun 02:00-04:00`.
    public var weekly: String?
    /// For weekly windows; default UTC.
    public var timeZone: String?
    public var reason: String?

    public init(service: String, start: String? = nil, end: String? = nil, duration: String? = nil, weekly: String? = nil, timeZone: String? = nil, reason: String? = nil) {
        self.service = service
        self.start = start
        self.end = end
        self.duration = duration
        self.weekly = weekly
        self.timeZone = timeZone
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case service, start, end, duration, weekly, reason
        case timeZone = "time_zone"
    }
}
