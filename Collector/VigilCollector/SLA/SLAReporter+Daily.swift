import VigilCore

extension SLAReporter {
    /// One calendar day of one service, as a status page bar or a report chart shows it.
    public struct Day: Sendable {
        /// The date in the service's SLA time zone (of the bar's start, for bars shorter than a day).
        public var date: CivilDate
        /// The span counted: the whole day, or the bar.
        public var range: TimeRange
        /// Local wall-clock seconds at the span's start (since local 1970-01-01 00:00), for labels.
        public var localStartSeconds: Int64
        /// The figures for that day (up to now, for today), by the time method, with maintenance and
        /// business hours excluded as the SLA says.
        public var result: SLAResult
    }

    /// The last `days` calendar days of each service in `services` (today included), in each service's
    /// SLA zone: the span's runs read once per service, then one evaluation per day. Days count time,
    /// whatever the SLA's method, so that they add up to what the bars show.
    public func daily(services: [String], days: Int, nowMs: Int64) async throws -> [String: [Day]] {
        try await daily(services: services, nowMs: nowMs) { policy in
            let today = policy.zone.localDate(atUTCMs: nowMs)
            return (0..<Int64(days)).reversed().map { today.adding(days: -$0) }
        }
    }

    /// The calendar days of `window` in each service's SLA zone (each SLA's current period when nil),
    /// up to today.
    public func daily(services: [String], window: SLAWindow?, nowMs: Int64) async throws -> [String: [Day]] {
        try await daily(services: services, nowMs: nowMs) { policy in
            let asked = window ?? SLAWindow.current(policy.period, zone: policy.zone, nowMs: nowMs)
            let range = asked.resolve(zone: policy.zone, nowMs: nowMs)
            let first = policy.zone.localDate(atUTCMs: range.startMs)
            let last = policy.zone.localDate(atUTCMs: max(range.startMs, min(range.endMs, nowMs) - 1))
            guard first <= last else { return [] }
            return (0...(last.daysSinceEpoch - first.daysSinceEpoch)).map { first.adding(days: $0) }
        }
    }

    private func daily(
        services: [String], nowMs: Int64, dates: (ServicePolicy) -> [CivilDate]
    ) async throws -> [String: [Day]] {
        try await buckets(services: services, nowMs: nowMs) { policy in
            dates(policy).map { date in
                TimeRange(startMs: policy.zone.utcMs(startOf: date), endMs: policy.zone.utcMs(startOf: date.adding(days: 1)))
            }
        }
    }

    /// How a chart cuts a window into bars.
    public enum BarResolution: Sendable, Hashable {
        /// Calendar days in the SLA's zone (``daily(services:window:nowMs:)``).
        case day
        /// Bars of this many ms (a whole number of minutes that divides a day), on multiples of it since
        /// the epoch, the first and last cut to the window.
        case fixed(ms: Int64)
        /// Chosen from the window's length by ``choose(spanMs:)``.
        case auto

        /// Minutes up to 2 hours (at most 120 bars), 5 minutes up to 12 hours (144), hours up to 3 days
        /// (72), days beyond.
        public static func choose(spanMs: Int64) -> BarResolution {
            switch spanMs {
            case ...7_200_000: .fixed(ms: 60_000)
            case ...43_200_000: .fixed(ms: 300_000)
            case ...259_200_000: .fixed(ms: 3_600_000)
            default: .day
            }
        }

        /// The bar length in ms (a day for ``day``), `nil` for ``auto``.
        public var lengthMs: Int64? {
            switch self {
            case .day: 86_400_000
            case .fixed(let ms): ms
            case .auto: nil
            }
        }
    }

    /// Each service's bars over `window` (each SLA's current period when nil) up to now: calendar days,
    /// or bars of a fixed length, counted by time like ``daily(services:window:nowMs:)``; with
    /// ``BarResolution/auto`` each service's window length picks the resolution.
    public func bars(
        services: [String], window: SLAWindow?, resolution: BarResolution, nowMs: Int64
    ) async throws -> [String: (resolution: BarResolution, bars: [Day])] {
        func range(_ policy: ServicePolicy) -> TimeRange {
            (window ?? SLAWindow.current(policy.period, zone: policy.zone, nowMs: nowMs)).resolve(zone: policy.zone, nowMs: nowMs)
        }
        func chosen(_ service: String) -> BarResolution {
            guard resolution == .auto else { return resolution }
            return BarResolution.choose(spanMs: range(catalog.policy(for: service)).durationMs)
        }
        let byResolution = Dictionary(grouping: services, by: chosen)
        var result: [String: (resolution: BarResolution, bars: [Day])] = [:]
        for (chosen, names) in byResolution {
            let figures: [String: [Day]]
            if case .fixed(let length) = chosen {
                figures = try await buckets(services: names, nowMs: nowMs) { policy in
                    let span = range(policy)
                    let end = min(span.endMs, nowMs)
                    guard span.startMs < end else { return [] }
                    var bars: [TimeRange] = []
                    var start = RollupAccumulator.floor(span.startMs, to: length)
                    while start < end {
                        bars.append(TimeRange(startMs: max(start, span.startMs), endMs: min(start + length, end)))
                        start += length
                    }
                    return bars
                }
            } else {
                figures = try await daily(services: names, window: window, nowMs: nowMs)
            }
            for (service, days) in figures { result[service] = (chosen, days) }
        }
        return result
    }

    /// Each service's `ranges` (in its SLA's zone and calendar), counted by time: the span's runs read
    /// once per service, then one evaluation per range.
    private func buckets(
        services: [String], nowMs: Int64, ranges: (ServicePolicy) -> [TimeRange]
    ) async throws -> [String: [Day]] {
        let all = try await checks(of: Set(services))
        let byService = Dictionary(grouping: all, by: \.definition.service)
        let maintenance = try await maintenance()
        var figures: [String: [Day]] = [:]
        for service in services {
            var policy = catalog.policy(for: service)
            policy.method = .time
            let ranges = ranges(policy)
            let evaluators = ranges.map { range in
                SLAEvaluator(service: service, policy: policy, window: range, nowMs: nowMs, maintenance: maintenance)
            }
            let checks = byService[service] ?? []
            guard let first = evaluators.first, let last = evaluators.last else { continue }
            let span = TimeRange(startMs: first.readRange.startMs, endMs: max(first.readRange.endMs, last.readRange.endMs))
            let runs = try await store.intervals(checkIDs: checks.map(\.id), overlapping: span)
            figures[service] = zip(ranges, evaluators).map { range, evaluator in
                let locations = checks.map { check in
                    LocationHistory(
                        name: "\(check.agentName)/\(check.definition.name)", intervalMs: Int64(check.definition.intervalMs),
                        runs: (runs[check.id] ?? []).filter { $0.endMs > evaluator.readRange.startMs && $0.startMs < evaluator.readRange.endMs }
                    )
                }
                return Day(
                    date: policy.zone.localDate(atUTCMs: range.startMs), range: range,
                    localStartSeconds: policy.zone.localSeconds(atUTCMs: range.startMs),
                    result: evaluator.evaluate(locations: locations, probes: nil, explain: false)
                )
            }
        }
        return figures
    }
}
