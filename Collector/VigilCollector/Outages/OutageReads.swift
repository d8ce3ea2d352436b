import VigilCore

/// Reading stored outages the way a report shows them.
enum OutageReads {
    /// Waits, at most `limitMs`, until every change committed by `committedBy` has been derived, so a
    /// read right after an acknowledged batch sees the outages it opened or ended (read your writes).
    /// Returns early when no replica derives (nothing leads).
    static func awaitDerived(_ store: any OutageStore, committedBy: Int64, limitMs: Int64 = 5_000) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(limitMs)
        while try await store.outageChanges().contains(where: { $0.markedMs <= committedBy }) {
            guard clock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The stored outages overlapping `evaluated` (of `services` only, when given) as of `nowMs`, once
    /// the changes committed by then are derived (``awaitDerived(_:committedBy:limitMs:)``).
    static func read(
        _ store: any OutageStore, services: Set<String>?, evaluated: TimeRange, nowMs: Int64, catalog: ServiceCatalog,
        maintenance: [MaintenanceWindow]
    ) async throws -> [Outage] {
        if services?.isEmpty == true || evaluated.isEmpty { return [] }
        try await awaitDerived(store, committedBy: nowMs)
        var stored = try await store.storedOutages(service: services?.count == 1 ? services!.first! : nil, overlapping: evaluated)
        if let services { stored = stored.filter { services.contains($0.service) } }
        return try await asOf(stored, evaluated: evaluated, nowMs: nowMs, catalog: catalog, maintenance: maintenance)
    }

    /// Stored outages as of `nowMs` within `evaluated`: one still going on ends at `nowMs + 1` (as the
    /// engine cuts it), with its down time inside the service's eligible time and whether it overlaps a
    /// maintenance window as the windows are now.
    static func asOf(
        _ stored: [Outage], evaluated: TimeRange, nowMs: Int64, catalog: ServiceCatalog, maintenance: [MaintenanceWindow]
    ) async throws -> [Outage] {
        var eligibleByService: [String: [TimeRange]] = [:]
        return stored.map { stored in
            var outage = stored
            outage.ongoing = stored.range.endMs >= nowMs
            if outage.ongoing { outage.range.endMs = nowMs + 1 }
            let windows = maintenance.filter { $0.covers(service: outage.service) }
            let eligible = eligibleByService[outage.service] ?? SLAEvaluator.eligible(
                in: evaluated, calendar: catalog.policy(for: outage.service).calendar, maintenance: windows
            )
            eligibleByService[outage.service] = eligible
            outage.eligibleDownMs = SLAEvaluator.eligibleDown(outage, evaluated: evaluated, eligible: eligible)
            let maintenanceTime = RangeSet.normalized(windows.flatMap { $0.segments(in: outage.range) })
            outage.inMaintenance = !RangeSet.intersection([outage.range], maintenanceTime).isEmpty
            return outage
        }
    }
}
