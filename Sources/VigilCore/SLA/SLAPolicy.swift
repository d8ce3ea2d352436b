/// How availability is counted (DESIGN §5; the names match OpenSLO's budgeting methods).
public enum SLAMethod: Sendable, Hashable {
    /// Up time / (up + down) over eligible time (the default; OpenSLO `Timeslices` with no slicing is the
    /// closest, but Vigil weighs by time exactly).
    case time
    /// Good probes / all probes, what Uptime Kuma and Gatus report (OpenSLO `Occurrences`).
    case occurrences
    /// Slices of `lengthMs` are bad when their down share is above `badAbove`; good slices / known slices
    /// (OpenSLO `Timeslices`, the cloud-SLA "downtime minute").
    case timeslices(lengthMs: Int64, badAbove: Percentage)

    /// `time`, `occurrences` or `timeslices`.
    public var name: String {
        switch self {
        case .time: "time"
        case .occurrences: "occurrences"
        case .timeslices: "timeslices"
        }
    }
}

/// How the `timeslices` method cuts time: slices of `lengthMs`, bad when their down share of known time
/// is above `badAbove`.
public struct Timeslicing: Sendable, Hashable {
    /// Slice length in ms. Default 1 minute.
    public var lengthMs: Int64
    /// A slice is bad when down / known time in it is above this. Default 0 %: any down time.
    public var badAbove: Percentage

    public init(lengthMs: Int64 = 60_000, badAbove: Percentage = Percentage(ppm: 0)) {
        self.lengthMs = lengthMs
        self.badAbove = badAbove
    }
}

/// What unknown time (no data) counts as.
public enum UnknownPolicy: String, Sendable, Hashable, CaseIterable {
    /// Left out of availability, reported as coverage (the default).
    case exclude
    /// Counted as up.
    case up
    /// Counted as down.
    case down
}

/// A latency objective: `target` of probes at or under `thresholdMs`.
public struct LatencyObjective: Sendable, Hashable {
    /// The latency limit, in milliseconds.
    public var thresholdMs: Double
    /// The share of probes that must be at or under it.
    public var target: Percentage

    public init(thresholdMs: Double, target: Percentage) {
        self.thresholdMs = thresholdMs
        self.target = target
    }
}

/// One row of a service-credit table: availability below `below` earns `credit` of the period's fee.
public struct CreditTier: Sendable, Hashable {
    /// Availability strictly below this reaches the tier.
    public var below: Percentage
    /// The credit, as a share of the fee.
    public var credit: Percentage

    public init(below: Percentage, credit: Percentage) {
        self.below = below
        self.credit = credit
    }

    /// The tier reached by `good / total`: the one with the lowest boundary still above the ratio.
    public static func reached(in tiers: [CreditTier], good: Int64, total: Int64) -> CreditTier? {
        tiers.filter { $0.below.isGreaterThan(ratioOf: good, to: total) }.min { $0.below < $1.below }
    }
}

/// The period an SLA is judged over.
public enum SLAPeriod: Sendable, Hashable {
    /// Calendar months in the SLA's time zone (the default).
    case month
    /// Calendar quarters.
    case quarter
    /// Calendar years.
    case year
    /// The last `ms` milliseconds, ending now.
    case rolling(ms: Int64)

    /// The period's length for burn-rate scaling (a month counts as 30 days, as in the SRE workbook).
    public var nominalMs: Int64 {
        switch self {
        case .month: 30 * 86_400_000
        case .quarter: 90 * 86_400_000
        case .year: 365 * 86_400_000
        case .rolling(let ms): ms
        }
    }

    /// `month`, `quarter`, `year` or a duration such as `30d`.
    public var name: String {
        switch self {
        case .month: "month"
        case .quarter: "quarter"
        case .year: "year"
        case .rolling(let ms): DurationText.compact(milliseconds: ms)
        }
    }
}

/// Everything that decides a service's figures: how locations combine and what the SLA promises.
public struct ServicePolicy: Sendable {
    /// How location states combine. Default majority.
    public var quorum: Quorum = .majority
    /// Confirmation thresholds per location. Default 2 failures / 1 success.
    public var confirmation = Confirmation()
    /// The promised availability; `nil` when the service has no SLA (figures without met/missed).
    public var target: Percentage?
    /// The period judged. Default the calendar month.
    public var period: SLAPeriod = .month
    /// The zone calendar periods are read in. Default UTC.
    public var zone: any ZoneRules = FixedOffsetZone.utc
    /// When the service must be available. Default around the clock.
    public var calendar: BusinessCalendar = .alwaysOpen
    /// How availability is counted. Default `time`.
    public var method: SLAMethod = .time
    /// The slices the `timeslices` figure is counted in when ``method`` is not `timeslices` (it is
    /// reported under every method): length and bad share. Default 1 minute, bad above 0 %.
    public var timeslice = Timeslicing()
    /// What unknown time counts as. Default `exclude`.
    public var unknownPolicy: UnknownPolicy = .exclude
    /// The latency objective, if any.
    public var latency: LatencyObjective?
    /// Service-credit tiers, if any.
    public var credits: [CreditTier] = []
    /// Multiwindow burn-rate rules with factors for a 30-day period (scaled to ``period``). Default the
    /// SRE workbook's table.
    public var burnRules: [BurnRateRule] = BurnRateAlerts.thirtyDayRules

    public init() {}

    /// The history as measured, with no SLA settings: every stored probe result counts as it is (no
    /// confirmation: one failure is down, one success up again), locations combine by majority, around
    /// the clock, the `time` method with unknown time excluded, no target. What
    /// `GET /v1/services/{service}/uptime` reports. The SLA engine under this policy is the only place
    /// Vigil turns intervals into availability.
    public static var asMeasured: ServicePolicy {
        var policy = ServicePolicy()
        policy.confirmation = Confirmation(failureThreshold: 1, successThreshold: 1)
        return policy
    }
}
