import Foundation
import VigilConfig
import VigilCore
import VigilWire

/// Reads what the SLA engine needs from the store and evaluates services (DESIGN §5).
///
/// Reports read state intervals (one row per state change) and probe rollups, never heartbeats.
public struct SLAReporter: Sendable {
    let store: any ReportStore
    let catalog: ServiceCatalog
    /// How long minute rollups are kept (`minute_rollup_retention`): older minutes are counted from the
    /// raw batches. Default 35 days.
    var minuteRollupRetentionMs: Int64

    /// A reporter over `store` with the services, SLAs and maintenance of `catalog`.
    public init(store: any ReportStore, catalog: ServiceCatalog, minuteRollupRetentionMs: Int64 = 35 * 86_400_000) {
        self.store = store
        self.catalog = catalog
        self.minuteRollupRetentionMs = minuteRollupRetentionMs
    }

    /// What to evaluate.
    public struct Request: Sendable {
        /// The window; `nil` means each service's current SLA period.
        public var window: SLAWindow?
        /// Overrides the service's method.
        public var method: SLAMethod?
        /// Overrides the slicing of the `timeslices` figure (and method).
        public var timeslicing: Timeslicing?
        /// Overrides what unknown time counts as.
        public var unknownPolicy: UnknownPolicy?
        /// Include segments, exclusions and locations.
        public var explain = false
        /// How much of the probe rollups to read. Default ``ProbeDetail/full``.
        public var probes = ProbeDetail.full
        /// Ignore the service's SLA settings and maintenance: ``ServicePolicy/asMeasured`` (the overrides
        /// above still apply). Default false.
        public var asMeasured = false

        public init(
            window: SLAWindow? = nil, method: SLAMethod? = nil, timeslicing: Timeslicing? = nil, unknownPolicy: UnknownPolicy? = nil,
            explain: Bool = false, probes: ProbeDetail = .full, asMeasured: Bool = false
        ) {
            self.window = window
            self.method = method
            self.timeslicing = timeslicing
            self.unknownPolicy = unknownPolicy
            self.explain = explain
            self.probes = probes
            self.asMeasured = asMeasured
        }
    }

    /// How much of the probe rollups a request reads. Reading each rollup row's latency histogram was
    /// most of the time `/metrics` and `/status` took with 10,000 services (issue 19), for figures neither
    /// shows.
    public enum ProbeDetail: Sendable, Hashable {
        /// Counts and latency for every service: the occurrences figure beside every method, latency
        /// percentiles and the latency objective. What reports and the SLA API answer with.
        case full
        /// Only what each service's own method counts: probe counts without latency for services judged
        /// by occurrences, nothing for the others. State, availability, budget, credit, burn rates and
        /// outages are the same as with ``full``; `availabilityByMethod` lacks occurrences where nothing
        /// was read, and latency figures are empty. For views that show no more (the status page,
        /// badges, `/metrics`).
        case methodOnly
    }

    /// One service's figures with what the report prints beside them.
    public struct ServiceReport: Sendable {
        /// Every figure.
        public var result: SLAResult
        /// Checks (locations) of the service.
        public var checks: Int
        /// The window's label: `2026-10`, `last 30d`, …
        public var label: String

        /// The JSON form.
        public var info: SLAReportInfo { result.info(label: label, checks: checks) }
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

    /// Services known from checks or from the config, sorted, without reading every check.
    func allServiceNames() async throws -> [String] {
        Set(try await store.services()).union(catalog.services.keys).sorted()
    }

    /// Up to this many services are read one by one (an indexed read each) rather than by reading
    /// every check: the status page's 100 services on a collector with 10,000 read 100 small sets.
    static let servicesReadAlone = 256

    /// The checks of `services` (every check when nil), by service.
    func checks(of services: Set<String>?) async throws -> [CheckRecord] {
        guard let services else { return try await store.allChecks() }
        guard services.count <= Self.servicesReadAlone else {
            // In place: a filtered copy beside every check cost 20 MB more at 100,000 checks.
            var checks = try await store.allChecks()
            checks.removeAll { !services.contains($0.definition.service) }
            return checks
        }
        var checks: [CheckRecord] = []
        for service in services.sorted() { checks += try await store.checks(service: service) }
        return checks
    }

    /// One service; `nil` when neither a check nor the config names it.
    public func evaluate(service: String, _ request: Request, nowMs: Int64) async throws -> ServiceReport? {
        let checks = try await store.checks(service: service)
        guard !checks.isEmpty || catalog.services[service] != nil else { return nil }
        return try await evaluate(service: service, checks: checks, request, maintenance: maintenance(), nowMs: nowMs)
    }

    /// How many checks' runs one read of ``evaluateAll(_:nowMs:only:)`` holds at most (a service with more
    /// is read alone). Bounds the memory a report or an alert pass needs however many checks there are,
    /// while keeping reads few. Default 4,096.
    public var checksPerRead = 4_096

    /// Every service, for `vigil report`: services read in groups of at most ``checksPerRead`` checks
    /// (runs and rollups in one read per group), each group evaluated in parallel on the available cores.
    ///
    /// - Parameter only: when given, just these services.
    public func evaluateAll(_ request: Request, nowMs: Int64, only: Set<String>? = nil) async throws -> [ServiceReport] {
        let (all, byService) = Self.byService(try await checks(of: only))
        let maintenance = try await maintenance()
        let names = serviceNames(checks: all).filter { only?.contains($0) ?? true }
        let plans = names.map { service in
            plan(service: service, checks: byService[service].map { all[$0] } ?? [], request, maintenance: maintenance, nowMs: nowMs)
        }
        var reports: [ServiceReport] = []
        reports.reserveCapacity(plans.count)
        for group in Self.readGroups(plans, checksPerRead: checksPerRead) {
            reports += try await evaluate(group, explain: request.explain, probeDetail: request.probes)
        }
        return reports
    }

    /// `checks` ordered by service (as the stores read them, or sorted here when a store's collation
    /// put them otherwise) and the range of each service's: plans take slices of the one array, where
    /// grouping copied every check into per-service arrays (40 MB at 100,000 checks with their spare
    /// capacity).
    static func byService(_ checks: [CheckRecord]) -> (checks: [CheckRecord], ranges: [String: Range<Int>]) {
        var checks = checks
        var ranges: [String: Range<Int>] = [:]
        var start = 0
        for index in checks.indices.dropFirst() where checks[index].definition.service != checks[index - 1].definition.service {
            guard ranges[checks[start].definition.service] == nil else { break }
            ranges[checks[start].definition.service] = start..<index
            start = index
        }
        if start < checks.count, ranges[checks[start].definition.service] == nil {
            ranges[checks[start].definition.service] = start..<checks.count
        }
        guard ranges.values.reduce(0, { $0 + $1.count }) != checks.count else { return (checks, ranges) }
        // A service's checks were not together: sorted, the order of each service's checks kept.
        checks = checks.enumerated().sorted { ($0.element.definition.service, $0.offset) < ($1.element.definition.service, $1.offset) }.map(\.element)
        return byService(checks)
    }

    /// Consecutive plans cut into groups of at most `checksPerRead` checks (one plan per group at least).
    static func readGroups(_ plans: [Plan], checksPerRead: Int) -> [ArraySlice<Plan>] {
        var groups: [ArraySlice<Plan>] = []
        var start = 0
        var checks = 0
        for (index, plan) in plans.enumerated() {
            if index > start && checks + plan.checks.count > checksPerRead {
                groups.append(plans[start..<index])
                start = index
                checks = 0
            }
            checks += plan.checks.count
        }
        if start < plans.count { groups.append(plans[start...]) }
        return groups
    }

    /// One read of the group's runs and rollups, then its services evaluated on all cores, in order.
    private func evaluate(_ plans: ArraySlice<Plan>, explain: Bool, probeDetail: ProbeDetail) async throws -> [ServiceReport] {
        guard let first = plans.first else { return [] }
        let span = plans.dropFirst().reduce(first.evaluator.readRange) { span, plan in
            TimeRange(startMs: min(span.startMs, plan.evaluator.readRange.startMs), endMs: max(span.endMs, plan.evaluator.readRange.endMs))
        }
        let runs = try await store.intervals(checkIDs: plans.flatMap { $0.checks.map(\.id) }, overlapping: span)
        let counted = plans.filter { $0.readsProbes(probeDetail) }
        let probes = counted.isEmpty ? [:] : try await store.probeCounts(
            over: Dictionary(uniqueKeysWithValues: counted.map { ($0.service, $0.evaluator.eligible) }),
            minuteRowsSinceMs: first.evaluator.nowMs - minuteRollupRetentionMs, latency: probeDetail == .full
        )
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let indices = Array(plans.indices)
        return await withTaskGroup(of: [(Int, ServiceReport)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    stride(from: worker, to: indices.count, by: workers).map { position in
                        let plan = plans[indices[position]]
                        return (position, finish(plan, runs: runs, probes: probes[plan.service], explain: explain))
                    }
                }
            }
            var reports = [ServiceReport?](repeating: nil, count: indices.count)
            for await batch in group {
                for (position, report) in batch { reports[position] = report }
            }
            return reports.compactMap { $0 }
        }
    }

    /// What to read and how to judge one service.
    struct Plan: Sendable {
        var service: String
        var checks: ArraySlice<CheckRecord>
        var evaluator: SLAEvaluator
        var label: String

        /// Whether its figures need probe rollups under `detail`.
        func readsProbes(_ detail: ProbeDetail) -> Bool {
            detail == .full || evaluator.policy.method == .occurrences
        }
    }

    func plan(service: String, checks: ArraySlice<CheckRecord>, _ request: Request, maintenance: [MaintenanceWindow], nowMs: Int64) -> Plan {
        var policy = request.asMeasured ? ServicePolicy.asMeasured : catalog.policy(for: service)
        let slicing = request.timeslicing ?? policy.effectiveTimeslicing
        policy.timeslice = slicing
        switch request.method {
        case nil: if case .timeslices = policy.method { policy.method = .timeslices(lengthMs: slicing.lengthMs, badAbove: slicing.badAbove) }
        case .timeslices: policy.method = .timeslices(lengthMs: slicing.lengthMs, badAbove: slicing.badAbove)
        case let method?: policy.method = method
        }
        if let unknown = request.unknownPolicy { policy.unknownPolicy = unknown }
        let asked = request.window ?? SLAWindow.current(policy.period, zone: policy.zone, nowMs: nowMs)
        let window = asked.resolve(zone: policy.zone, nowMs: nowMs)
        let evaluator = SLAEvaluator(
            service: service, policy: policy, window: window, nowMs: nowMs, maintenance: request.asMeasured ? [] : maintenance
        )
        return Plan(service: service, checks: checks, evaluator: evaluator, label: asked.label)
    }

    func finish(_ plan: Plan, runs: [Int64: [StateInterval]], probes: ProbeCounts?, explain: Bool) -> ServiceReport {
        let locations = plan.checks.map { check in
            LocationHistory(
                name: "\(check.agentName)/\(check.definition.name)", intervalMs: Int64(check.definition.intervalMs),
                runs: runs[check.id] ?? []
            )
        }
        let result = plan.evaluator.evaluate(locations: locations, probes: probes, explain: explain)
        return ServiceReport(result: result, checks: plan.checks.count, label: plan.label)
    }

    func evaluate(
        service: String, checks: [CheckRecord], _ request: Request, maintenance: [MaintenanceWindow], nowMs: Int64
    ) async throws -> ServiceReport {
        let plan = plan(service: service, checks: checks[...], request, maintenance: maintenance, nowMs: nowMs)
        let runs = try await store.intervals(checkIDs: checks.map(\.id), overlapping: plan.evaluator.readRange)
        let probes = plan.readsProbes(request.probes) ? try await store.probeCounts(
            service: service, over: plan.evaluator.eligible, minuteRowsSinceMs: nowMs - minuteRollupRetentionMs, latency: request.probes == .full
        ) : nil
        return finish(plan, runs: runs, probes: probes, explain: request.explain)
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
