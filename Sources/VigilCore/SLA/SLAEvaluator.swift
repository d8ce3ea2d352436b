/// One location's stored history, as the evaluator reads it.
public struct LocationHistory: Sendable {
    /// `agent/check`.
    public var name: String
    /// The check's probe interval (confirmation timing falls back on it).
    public var intervalMs: Int64
    /// The check's runs overlapping ``SLAEvaluator/readRange``, sorted by start.
    public var runs: [StateInterval]

    public init(name: String, intervalMs: Int64, runs: [StateInterval]) {
        self.name = name
        self.intervalMs = intervalMs
        self.runs = runs
    }
}

/// Computes a service's SLA figures over a window (DESIGN §5), in two steps so that the caller can fetch
/// only what is needed: build the evaluator (which works out eligible time and what to read), read the
/// runs over ``readRange`` and the probe rollups over ``eligible``, then call ``evaluate(locations:probes:)``.
public struct SLAEvaluator: Sendable {
    /// Look-back before the window so an outage already running at its start keeps its true start.
    public static let lookbackMs: Int64 = 86_400_000
    /// The burn-rate windows reported: 1h, 6h, 1d, 3d.
    public static let burnWindowsMs: [Int64] = [3_600_000, 21_600_000, 86_400_000, 259_200_000]

    public let service: String
    public let policy: ServicePolicy
    /// The window asked for.
    public let window: TimeRange
    /// The window cut at "now".
    public let evaluated: TimeRange
    public let nowMs: Int64
    /// The service's maintenance windows.
    public let maintenance: [MaintenanceWindow]
    /// Calendar time minus maintenance inside ``evaluated``.
    public let eligible: [TimeRange]
    /// The span of runs the evaluation needs.
    public let readRange: TimeRange

    public init(service: String, policy: ServicePolicy, window: TimeRange, nowMs: Int64, maintenance: [MaintenanceWindow]) {
        self.service = service
        self.policy = policy
        self.window = window
        self.nowMs = nowMs
        self.maintenance = maintenance.filter { $0.covers(service: service) }
        let evaluated = TimeRange(startMs: window.startMs, endMs: max(window.startMs, min(window.endMs, nowMs)))
        self.evaluated = evaluated
        self.eligible = Self.eligible(in: evaluated, calendar: policy.calendar, maintenance: self.maintenance)
        let burnStart = evaluated.endMs - Self.burnWindowsMs.last!
        self.readRange = TimeRange(
            startMs: min(evaluated.startMs, burnStart) - Self.lookbackMs,
            endMs: max(evaluated.endMs, min(nowMs + 1, window.endMs))
        )
    }

    /// Calendar time minus maintenance inside `range`.
    public static func eligible(in range: TimeRange, calendar: BusinessCalendar, maintenance: [MaintenanceWindow]) -> [TimeRange] {
        RangeSet.subtracting(calendar.segments(in: range), maintenanceTime(in: range, maintenance))
    }

    static func maintenanceTime(in range: TimeRange, _ maintenance: [MaintenanceWindow]) -> [TimeRange] {
        RangeSet.normalized(maintenance.flatMap { $0.segments(in: range) })
    }

    /// Every figure for the service.
    ///
    /// - Parameters:
    ///   - locations: each check's runs over ``readRange``.
    ///   - probes: the probe rollups summed over ``eligible`` (occurrences and latency); `nil` when not read.
    public func evaluate(locations: [LocationHistory], probes: ProbeCounts?, explain: Bool = false) -> SLAResult {
        let span = readRange
        let history = ServiceHistory(locations: locations, confirmation: policy.confirmation, quorum: policy.quorum, span: span)
        let timelines = history.locations
        let segments = history.segments

        let totals = Totals(segments: segments, eligible: eligible)
        let calendarTime = policy.calendar.segments(in: evaluated)
        let maintenanceTime = Self.maintenanceTime(in: evaluated, maintenance)
        let (up, down) = totals.counted(policy.unknownPolicy)

        // Outages overlapping the evaluated window, with their downtime inside eligible time.
        var outages = history.outages(service: service, span: span, maintenance: maintenance, nowMs: nowMs)
            .filter { $0.range.overlaps(evaluated) || ($0.range.startMs == evaluated.endMs && evaluated.isEmpty) }
        for index in outages.indices {
            outages[index].eligibleDownMs = Self.eligibleDown(outages[index], evaluated: evaluated, eligible: eligible)
        }
        let counted = outages.filter { $0.eligibleDownMs > 0 }
        let downtime = counted.reduce(0) { $0 + $1.eligibleDownMs }
        let detections = counted.compactMap { outage in outage.detectedAtMs.map { $0 - outage.range.startMs } }

        // The chosen method's good / counted units.
        let timeslices = policy.timesliceFigures(segments: segments, eligible: eligible)
        var byMethod: [String: Double] = [:]
        if up + down > 0 { byMethod["time"] = Double(up) / Double(up + down) }
        if let probes, probes.total > 0 { byMethod["occurrences"] = Double(probes.good) / Double(probes.total) }
        if timeslices.counted > 0 { byMethod["timeslices"] = Double(timeslices.good) / Double(timeslices.counted) }
        let (good, all, unit, unitMs): (Int64, Int64, String, Int64)
        switch policy.method {
        case .time: (good, all, unit, unitMs) = (up, up + down, "seconds", 1_000)
        case .occurrences: (good, all, unit, unitMs) = (probes?.good ?? 0, probes?.total ?? 0, "probes", 1)
        case .timeslices: (good, all, unit, unitMs) = (timeslices.good, timeslices.counted, "slices", 1)
        }
        let availability = all > 0 ? Double(good) / Double(all) : nil

        var met: Bool?
        var missedBy: ExactRatio?
        var budget: ErrorBudget?
        var credit: CreditTier?
        if all > 0 {
            credit = CreditTier.reached(in: policy.credits, good: good, total: all)
        }
        if let target = policy.target, all > 0 {
            met = !target.isGreaterThan(ratioOf: good, to: all)
            // (ppm / 10⁶ − good / all) × 100 points = (ppm · all − good · 10⁶) / (all · 10⁴).
            if met == false {
                missedBy = ExactRatio(Int128(target.ppm) * Int128(all) - Int128(good) * 1_000_000, over: Int128(all) * 10_000)
            }
            // Units are ms under the time method, shown in seconds.
            let scale: Int128 = policy.method == .time ? Int128(unitMs) : 1
            budget = ErrorBudget(
                unit: unit,
                total: ExactRatio(Int128(all) * Int128(1_000_000 - target.ppm), over: 1_000_000 * scale),
                consumed: ExactRatio(Int128(all - good), over: scale)
            )
        }

        let burnRates: [BurnRate] = policy.target.map { target in
            Self.burnWindowsMs.map { width in
                let range = TimeRange(startMs: evaluated.endMs - width, endMs: evaluated.endMs)
                let part = Totals(segments: segments, eligible: Self.eligible(in: range, calendar: policy.calendar, maintenance: maintenance))
                let (u, d) = part.counted(policy.unknownPolicy)
                return BurnRate(windowMs: width, exactRate: BurnRateAlerts.rate(down: d, known: u + d, target: target))
            }
        } ?? []

        let blips = timelines.flatMap(\.timeline.blips).filter { $0.range.overlaps(evaluated) }
        return SLAResult(
            service: service, window: window, evaluated: evaluated, method: policy.method, target: policy.target,
            unknownPolicy: policy.unknownPolicy, calendar: policy.calendar.name, zone: policy.zone.identifier,
            upMs: totals.up, degradedMs: totals.degraded, downMs: totals.down, unknownMs: totals.unknown,
            maintenanceMs: RangeSet.total(RangeSet.intersection(calendarTime, maintenanceTime)),
            outsideCalendarMs: evaluated.durationMs - RangeSet.total(calendarTime),
            eligibleMs: RangeSet.total(eligible),
            good: good, counted: all, availability: availability, availabilityByMethod: byMethod,
            coverage: totals.eligible > 0 ? Double(totals.up + totals.down) / Double(totals.eligible) : nil,
            met: met, exactMissedByPoints: missedBy, budget: budget, burnRates: burnRates,
            outages: outages, outageCount: counted.count, totalDowntimeMs: downtime,
            longestOutageMs: counted.map(\.eligibleDownMs).max(),
            mttrMs: counted.isEmpty ? nil : downtime / Int64(counted.count),
            mtbfMs: counted.isEmpty ? nil : up / Int64(counted.count),
            meanTimeToDetectMs: detections.isEmpty ? nil : detections.reduce(0, +) / Int64(detections.count),
            blipCount: blips.count,
            latency: Self.latency(probes, objective: policy.latency),
            credit: credit,
            burnFirings: policy.target.map { target in
                BurnRateAlerts.firing(
                    BurnRateAlerts.rules(for: policy.period, base: policy.burnRules), segments: segments, nowMs: evaluated.endMs, target: target,
                    eligible: { Self.eligible(in: $0, calendar: policy.calendar, maintenance: maintenance) }, unknownPolicy: policy.unknownPolicy
                )
            } ?? [],
            stateAtEnd: segments.last { $0.range.startMs < evaluated.endMs }.map { $0.range.endMs >= evaluated.endMs ? $0.status : .unknown } ?? .unknown,
            segments: explain ? Self.clip(segments, to: evaluated) : [],
            exclusions: explain ? exclusions(calendarTime: calendarTime) : [],
            locations: explain ? timelines.map { location in
                let part = Totals(segments: location.timeline.segments, eligible: eligible)
                return LocationResult(
                    name: location.name, upMs: part.up, downMs: part.down, unknownMs: part.unknown,
                    blips: location.timeline.blips.filter { $0.range.overlaps(evaluated) }
                )
            } : []
        )
    }

    /// An outage's down time inside `eligible` (calendar time minus maintenance within `evaluated`).
    public static func eligibleDown(_ outage: Outage, evaluated: TimeRange, eligible: [TimeRange]) -> Int64 {
        RangeSet.total(RangeSet.intersection([outage.range.clamped(to: evaluated)], eligible))
    }

    static func latency(_ probes: ProbeCounts?, objective: LatencyObjective?) -> LatencyResult {
        let histogram = probes?.latency ?? LatencyHistogram()
        let total = histogram.total
        var attainment: Double?
        var met: Bool?
        if let objective, total > 0 {
            let fast = histogram.countAtOrBelow(thresholdMs: objective.thresholdMs)
            attainment = fast / Double(total)
            met = fast * 1_000_000 >= Double(objective.target.ppm) * Double(total)
        }
        return LatencyResult(
            p50Ms: histogram.quantileMs(0.50), p95Ms: histogram.quantileMs(0.95), p99Ms: histogram.quantileMs(0.99),
            probes: total, objective: objective, attainment: attainment, met: met
        )
    }

    static func clip(_ segments: [ServiceTimeline.Segment], to range: TimeRange) -> [ServiceTimeline.Segment] {
        segments.compactMap { segment in
            let piece = segment.range.clamped(to: range)
            return piece.isEmpty ? nil : ServiceTimeline.Segment(status: segment.status, range: piece)
        }
    }

    func exclusions(calendarTime: [TimeRange]) -> [Exclusion] {
        var result: [Exclusion] = []
        for window in maintenance {
            for range in RangeSet.intersection(window.segments(in: evaluated), calendarTime) {
                result.append(Exclusion(kind: "maintenance", range: range, detail: "\(window.id): \(window.reason)"))
            }
        }
        for range in RangeSet.subtracting([evaluated], calendarTime) {
            result.append(Exclusion(kind: "calendar", range: range, detail: policy.calendar.name))
        }
        return result.sorted { $0.range.startMs < $1.range.startMs }
    }
}

/// Up, down and unknown time of a timeline inside eligible time.
struct Totals {
    var up: Int64 = 0
    var degraded: Int64 = 0
    var down: Int64 = 0
    var eligible: Int64 = 0
    var unknown: Int64 { max(0, eligible - up - down) }

    init(segments: [ServiceTimeline.Segment], eligible ranges: [TimeRange]) {
        eligible = RangeSet.total(ranges)
        var j = 0
        for segment in segments where segment.status != .unknown {
            while j < ranges.count && ranges[j].endMs <= segment.range.startMs { j += 1 }
            var k = j
            while k < ranges.count && ranges[k].startMs < segment.range.endMs {
                let span = ranges[k].clamped(to: segment.range).durationMs
                switch segment.status {
                case .up: up += span
                case .degraded: up += span; degraded += span
                case .down: down += span
                case .unknown: break
                }
                k += 1
            }
        }
    }

    /// (up, down) after applying the unknown policy.
    func counted(_ policy: UnknownPolicy) -> (Int64, Int64) {
        switch policy {
        case .exclude: (up, down)
        case .up: (up + unknown, down)
        case .down: (up, down + unknown)
        }
    }
}
