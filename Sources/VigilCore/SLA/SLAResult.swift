/// The error budget in the units of the SLA's method, held exactly (issue 18): the budget of a 30-day
/// month at 99.9 % is 2592 s, not 2592.0000000000023, and what remains at the target is 0.
public struct ErrorBudget: Sendable, Hashable {
    /// `seconds` (time method), `probes` (occurrences) or `slices` (timeslices).
    public var unit: String
    /// Budget = (1 − target) × counted units.
    public var exactTotal: ExactRatio
    /// Bad units so far.
    public var exactConsumed: ExactRatio

    public init(unit: String, total: ExactRatio, consumed: ExactRatio) {
        self.unit = unit
        exactTotal = total
        exactConsumed = consumed
    }

    /// total − consumed (negative when overspent).
    public var exactRemaining: ExactRatio { exactTotal - exactConsumed }
    /// remaining / total (`nil` when the budget is zero).
    public var exactRemainingRatio: ExactRatio? { exactTotal == .zero ? nil : exactRemaining / exactTotal }

    /// The budget, as printed.
    public var total: Double { exactTotal.double }
    /// Bad units so far, as printed.
    public var consumed: Double { exactConsumed.double }
    /// total − consumed, as printed.
    public var remaining: Double { exactRemaining.double }
    /// remaining / total, as printed.
    public var remainingRatio: Double? { exactRemainingRatio?.double }
}

/// A burn rate over one look-back window (DESIGN §5): error ratio / (1 − target).
public struct BurnRate: Sendable, Hashable {
    /// The look-back window in ms (1h, 6h, 1d, 3d).
    public var windowMs: Int64
    /// The exact rate; `nil` when nothing is known in the window or the target is 100 %.
    public var exactRate: ExactRatio?
    /// The rate, as printed.
    public var rate: Double? { exactRate?.double }

    public init(windowMs: Int64, exactRate: ExactRatio?) {
        self.windowMs = windowMs
        self.exactRate = exactRate
    }
}

/// Latency figures from the rollups' histograms.
public struct LatencyResult: Sendable, Hashable {
    public var p50Ms: Double?
    public var p95Ms: Double?
    public var p99Ms: Double?
    /// Probes measured.
    public var probes: Int64
    /// The objective, when the SLA has one.
    public var objective: LatencyObjective?
    /// Share of probes at or under the objective's threshold.
    public var attainment: Double?
    /// Whether the attainment reaches the objective's target.
    public var met: Bool?
}

/// One location's share of the figures, for `--explain`.
public struct LocationResult: Sendable, Hashable {
    public var name: String
    public var upMs: Int64
    public var downMs: Int64
    public var unknownMs: Int64
    public var blips: [Blip]
}

/// A stretch of time left out of eligible time, for `--explain`.
public struct Exclusion: Sendable, Hashable {
    /// `maintenance` or `calendar`.
    public var kind: String
    public var range: TimeRange
    /// The maintenance window's id and reason, or the calendar's name.
    public var detail: String
}

/// Every figure of one service over one window (DESIGN §5), with what it was computed from.
public struct SLAResult: Sendable {
    public var service: String
    /// The window asked for.
    public var window: TimeRange
    /// The part of it evaluated: cut at "now".
    public var evaluated: TimeRange
    public var method: SLAMethod
    public var target: Percentage?
    public var unknownPolicy: UnknownPolicy
    public var calendar: String
    public var zone: String

    // Time, in ms, inside the evaluated window.
    public var upMs: Int64
    public var degradedMs: Int64
    public var downMs: Int64
    public var unknownMs: Int64
    /// Calendar time taken out by maintenance.
    public var maintenanceMs: Int64
    /// Window time outside the calendar (nights, weekends, holidays).
    public var outsideCalendarMs: Int64
    /// Calendar time minus maintenance.
    public var eligibleMs: Int64

    /// Good and counted units under the method (ms, probes or slices), for exact comparisons.
    public var good: Int64
    public var counted: Int64
    /// good / counted under the chosen method; `nil` when nothing was counted.
    public var availability: Double?
    /// The same history under each method, for comparison.
    public var availabilityByMethod: [String: Double]
    /// (up + down) / eligible.
    public var coverage: Double?
    /// Whether the target is met; `nil` without a target or data.
    public var met: Bool?
    /// target − availability in percentage points when missed, exactly.
    public var exactMissedByPoints: ExactRatio?
    /// target − availability in percentage points when missed, as printed.
    public var missedByPoints: Double? { exactMissedByPoints?.double }
    public var budget: ErrorBudget?
    public var burnRates: [BurnRate]

    public var outages: [Outage]
    public var outageCount: Int
    public var totalDowntimeMs: Int64
    public var longestOutageMs: Int64?
    public var mttrMs: Int64?
    public var mtbfMs: Int64?
    public var meanTimeToDetectMs: Int64?
    public var blipCount: Int

    public var latency: LatencyResult
    public var credit: CreditTier?
    /// Multiwindow burn-rate rules (scaled to the SLA period) firing at the end of the evaluated window.
    public var burnFirings: [BurnRateFiring]
    /// The confirmed service state at the end of the evaluated window (now, for a running window).
    public var stateAtEnd: CheckStatus

    // --explain
    public var segments: [ServiceTimeline.Segment]
    public var exclusions: [Exclusion]
    public var locations: [LocationResult]
}
