import VigilConfig
import VigilCore
import VigilWire

/// Reads what the SLA engine needs from the store and evaluates services (DESIGN §5).
///
/// Reports read state intervals (one row per state change) and probe rollups, never heartbeats.
struct SLAReporter: Sendable {
    let store: any Store
    let catalog: ServiceCatalog

    /// What to evaluate.
    struct Request: Sendable {
        /// The window; `nil` means each service's current SLA period.
        var window: SLAWindow?
        /// Overrides the service's method.
        var method: SLAMethod?
        /// Include segments, exclusions and locations.
        var explain = false
    }

    /// One service's figures with what the report prints beside them.
    struct ServiceReport: Sendable {
        var result: SLAResult
        /// Checks (locations) of the service.
        var checks: Int
        /// The window's label: `2026-10`, `last 30d`, …
        var label: String

        var info: SLAReportInfo { result.info(label: label, checks: checks) }
    }

    /// Config and API maintenance windows together.
    func maintenance() async throws -> [MaintenanceWindow] {
        let stored = try await store.maintenanceWindows().map(\.window)
        return catalog.maintenance + stored
    }

    /// Services known from checks or from the config, sorted.
    func serviceNames(checks: [CheckRecord]) -> [String] {
        Set(checks.map(\.definition.service)).union(catalog.services.keys).sorted()
    }

    /// One service; `nil` when neither a check nor the config names it.
    func evaluate(service: String, _ request: Request, nowMs: Int64) async throws -> ServiceReport? {
        let checks = try await store.checks(service: service)
        guard !checks.isEmpty || catalog.services[service] != nil else { return nil }
        return try await evaluate(service: service, checks: checks, request, maintenance: maintenance(), nowMs: nowMs)
    }

    /// Every service, for `vigil report`.
    func evaluateAll(_ request: Request, nowMs: Int64) async throws -> [ServiceReport] {
        let all = try await store.allChecks()
        let byService = Dictionary(grouping: all, by: \.definition.service)
        let maintenance = try await maintenance()
        var results: [ServiceReport] = []
        for service in serviceNames(checks: all) {
            results.append(try await evaluate(service: service, checks: byService[service] ?? [], request, maintenance: maintenance, nowMs: nowMs))
        }
        return results
    }

    func evaluate(
        service: String, checks: [CheckRecord], _ request: Request, maintenance: [MaintenanceWindow], nowMs: Int64
    ) async throws -> ServiceReport {
        var policy = catalog.policy(for: service)
        switch (request.method, policy.method) {
        case (.timeslices, .timeslices), (nil, _): break
        case (let method?, _): policy.method = method
        }
        let asked = request.window ?? SLAWindow.current(policy.period, zone: policy.zone, nowMs: nowMs)
        let window = asked.resolve(zone: policy.zone, nowMs: nowMs)
        let evaluator = SLAEvaluator(service: service, policy: policy, window: window, nowMs: nowMs, maintenance: maintenance)
        let runs = try await store.intervals(checkIDs: checks.map(\.id), overlapping: evaluator.readRange)
        let locations = checks.map { check in
            LocationHistory(
                name: "\(check.agentName)/\(check.definition.name)", intervalMs: Int64(check.definition.intervalMs),
                runs: runs[check.id] ?? []
            )
        }
        let probes = try await store.probeCounts(service: service, over: evaluator.eligible)
        let result = evaluator.evaluate(locations: locations, probes: probes, explain: request.explain)
        return ServiceReport(result: result, checks: checks.count, label: asked.label)
    }
}

extension MaintenanceRecord {
    /// The engine's view of a stored window.
    var window: MaintenanceWindow {
        let schedule: MaintenanceWindow.Schedule
        if let weekly {
            let zone = SystemZone.named(weekly.timeZone) ?? FixedOffsetZone.utc
            schedule = .weekly(WeeklySchedule(
                zone: zone, hours: [WeeklyHours(days: weekly.days, fromMinute: weekly.fromMinute, toMinute: weekly.toMinute)]
            ))
        } else {
            schedule = .once(once ?? TimeRange(startMs: 0, endMs: 0))
        }
        return MaintenanceWindow(id: String(id), service: service, schedule: schedule, reason: reason)
    }
}
