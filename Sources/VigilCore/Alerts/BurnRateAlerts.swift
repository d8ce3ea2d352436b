/// How urgent an alert is.
public enum AlertSeverity: String, Sendable, Hashable, CaseIterable, Codable {
    /// Wake someone up.
    case page
    /// Look at it during working hours.
    case ticket
    /// For the record.
    case info
}

/// One multiwindow burn-rate rule (Google SRE workbook, "Alerting on SLOs", multiwindow multi-burn-rate):
/// it fires while the burn rate over both the long and the short window is above the factor.
public struct BurnRateRule: Sendable, Hashable {
    public var severity: AlertSeverity
    public var longMs: Int64
    public var shortMs: Int64
    /// The burn-rate threshold, exact: the rule fires strictly above it, never at it.
    public var factor: ExactRatio

    public init(severity: AlertSeverity, longMs: Int64, shortMs: Int64, factor: ExactRatio) {
        self.severity = severity
        self.longMs = longMs
        self.shortMs = shortMs
        self.factor = factor
    }

    /// A rule whose factor is a plain decimal (`14.4`).
    public init(severity: AlertSeverity, longMs: Int64, shortMs: Int64, factor decimal: String) {
        self.init(severity: severity, longMs: longMs, shortMs: shortMs, factor: ExactRatio(decimal: decimal)!)
    }

    /// `page 1h/5m ≥ 14.4×`.
    public var name: String {
        "\(severity.rawValue) \(DurationText.compact(milliseconds: longMs))/\(DurationText.compact(milliseconds: shortMs))"
    }
}

/// A rule that fires, with the burn rates that made it fire.
public struct BurnRateFiring: Sendable, Hashable {
    public var rule: BurnRateRule
    /// The exact burn rate over the long window.
    public var longRate: ExactRatio
    /// The exact burn rate over the short window.
    public var shortRate: ExactRatio
}

/// Multiwindow burn-rate alerting over a service's timeline (DESIGN §5, §8).
public enum BurnRateAlerts {
    /// The workbook's table for a 30-day SLO: page on 1h/5m at 14.4× (2 % of the budget in an hour) or
    /// 6h/30m at 6× (5 % in six hours); ticket on 1d/2h at 3× (10 % in a day) or 3d/6h at 1× (10 % in
    /// three days).
    public static let thirtyDayRules: [BurnRateRule] = [
        BurnRateRule(severity: .page, longMs: 3_600_000, shortMs: 300_000, factor: "14.4"),
        BurnRateRule(severity: .page, longMs: 21_600_000, shortMs: 1_800_000, factor: "6"),
        BurnRateRule(severity: .ticket, longMs: 86_400_000, shortMs: 7_200_000, factor: "3"),
        BurnRateRule(severity: .ticket, longMs: 259_200_000, shortMs: 21_600_000, factor: "1"),
    ]

    /// The rules for an SLA period: each factor keeps its share of the budget, so it scales with the
    /// period's length (a quarter's page threshold over 1h is 3 × 14.4 = 43.2×).
    public static func rules(for period: SLAPeriod, base: [BurnRateRule] = thirtyDayRules) -> [BurnRateRule] {
        let scale = ExactRatio(Int128(period.nominalMs), over: 30 * 86_400_000)
        return base.map { rule in
            var scaled = rule
            scaled.factor = rule.factor * scale
            return scaled
        }
    }

    /// The burn rate over `[nowMs − width, nowMs)`: (down / (up + down)) / (1 − target) over eligible
    /// time, after the unknown policy; `nil` when less than `minimumKnownMs` is known or the target is 100 %.
    public static func rate(
        segments: [ServiceTimeline.Segment], over width: Int64, nowMs: Int64, target: Percentage,
        eligible: (TimeRange) -> [TimeRange], unknownPolicy: UnknownPolicy = .exclude, minimumKnownMs: Int64 = 1
    ) -> ExactRatio? {
        let range = TimeRange(startMs: nowMs - width, endMs: nowMs)
        let (up, down) = Totals(segments: segments, eligible: eligible(range)).counted(unknownPolicy)
        guard up + down >= max(1, minimumKnownMs) else { return nil }
        return rate(down: down, known: up + down, target: target)
    }

    /// (down / known) / (1 − target) exactly: down · 10⁶ / (known · (10⁶ − ppm)); `nil` when nothing is
    /// known or the target is 100 %.
    public static func rate(down: Int64, known: Int64, target: Percentage) -> ExactRatio? {
        guard known > 0, target.ppm < 1_000_000 else { return nil }
        return ExactRatio(Int128(down) * 1_000_000, over: Int128(known) * Int128(1_000_000 - target.ppm))
    }

    /// The rules firing at `nowMs`. A rule needs at least its short window's length of known time inside
    /// its long window: a service with seconds of history does not page on its first failed probe.
    public static func firing(
        _ rules: [BurnRateRule], segments: [ServiceTimeline.Segment], nowMs: Int64, target: Percentage,
        eligible: (TimeRange) -> [TimeRange], unknownPolicy: UnknownPolicy = .exclude
    ) -> [BurnRateFiring] {
        rules.compactMap { rule in
            guard let long = rate(
                      segments: segments, over: rule.longMs, nowMs: nowMs, target: target, eligible: eligible, unknownPolicy: unknownPolicy,
                      minimumKnownMs: rule.shortMs
                  ),
                  let short = rate(segments: segments, over: rule.shortMs, nowMs: nowMs, target: target, eligible: eligible, unknownPolicy: unknownPolicy),
                  long > rule.factor, short > rule.factor
            else { return nil }
            return BurnRateFiring(rule: rule, longRate: long, shortRate: short)
        }
    }
}
