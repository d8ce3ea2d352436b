import VigilCore

extension SLAReporter {
    /// One calendar day of one service, as a status page bar or a report chart shows it.
    public struct Day: Sendable {
        /// The date in the service's SLA time zone.
        public var date: CivilDate
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
        let all = try await checks(of: Set(services))
        let byService = Dictionary(grouping: all, by: \.definition.service)
        let maintenance = try await maintenance()
        var figures: [String: [Day]] = [:]
        for service in services {
            var policy = catalog.policy(for: service)
            policy.method = .time
            let dates = dates(policy)
            let evaluators = dates.map { date in
                let range = TimeRange(startMs: policy.zone.utcMs(startOf: date), endMs: policy.zone.utcMs(startOf: date.adding(days: 1)))
                return SLAEvaluator(service: service, policy: policy, window: range, nowMs: nowMs, maintenance: maintenance)
            }
            let checks = byService[service] ?? []
            guard let first = evaluators.first, let last = evaluators.last else { continue }
            let span = TimeRange(startMs: first.readRange.startMs, endMs: max(first.readRange.endMs, last.readRange.endMs))
            let runs = try await store.intervals(checkIDs: checks.map(\.id), overlapping: span)
            figures[service] = zip(dates, evaluators).map { date, evaluator in
                let locations = checks.map { check in
                    LocationHistory(
                        name: "\(check.agentName)/\(check.definition.name)", intervalMs: Int64(check.definition.intervalMs),
                        runs: (runs[check.id] ?? []).filter { $0.endMs > evaluator.readRange.startMs && $0.startMs < evaluator.readRange.endMs }
                    )
                }
                return Day(date: date, result: evaluator.evaluate(locations: locations, probes: nil, explain: false))
            }
        }
        return figures
    }
}
