import VigilCore

/// What the public status page shows, gathered at once: every service's state now, its SLA and budget
/// over the current period, 90 days of daily availability, open and recent outages, and maintenance
/// announced for the next 14 days.
struct StatusPageModel: Sendable {
    struct Service: Sendable {
        var name: String
        var state: CheckStatus
        var target: Percentage?
        /// Availability over the current SLA period so far, by the SLA's method.
        var availability: Double?
        var budgetRemainingRatio: Double?
        /// The current period's label (`2026-11`, `last 30d`).
        var period: String
        var days: [SLAReporter.Day]
        var openOutages: [Outage]
        /// Outages that ended within the last 14 days, newest first.
        var recentOutages: [Outage]

        /// Up time over known time across the days shown, or nil without data.
        var availabilityOverDays: Double? {
            let up = days.reduce(Int64(0)) { $0 + $1.result.upMs }
            let known = days.reduce(Int64(0)) { $0 + $1.result.upMs + $1.result.downMs }
            return known > 0 ? Double(up) / Double(known) : nil
        }
    }

    /// A maintenance window that is on now or starts within the horizon.
    struct Announcement: Sendable {
        var service: String
        var range: TimeRange
        var reason: String
        var recurring: Bool
    }

    static let days = 90
    static let horizonMs: Int64 = 14 * 86_400_000
    /// Services shown at most (issue 19: with 50,000 agent-made services the page took 66 s and 259 MiB):
    /// those not up first, then by name; the rest are counted in ``hiddenServices``.
    static let maxServices = 100

    var generatedMs: Int64
    var services: [Service]
    var maintenance: [Announcement]
    /// Services past ``maxServices``, not shown.
    var hiddenServices = 0

    /// The worst current state across services (unknown ones aside).
    var overall: CheckStatus {
        let states = services.map(\.state).filter { $0 != .unknown }
        if states.contains(.down) { return .down }
        if states.contains(.degraded) { return .degraded }
        return states.isEmpty ? .unknown : .up
    }

    /// - Parameter current: each service's current SLA period, as `reporter.evaluateAll` gives it.
    ///   - outages: where the stored outages are.
    static func build(
        reporter: SLAReporter, outages outageStore: any OutageStore, current all: [SLAReporter.ServiceReport], nowMs: Int64
    ) async throws -> StatusPageModel {
        let current = shown(all)
        let names = current.map(\.result.service)
        // The outages of the last 14 days and the 90 daily cells are independent reads: both at once.
        async let recent = OutageReads.read(
            outageStore, services: Set(names), evaluated: TimeRange(startMs: nowMs - horizonMs, endMs: nowMs), nowMs: nowMs,
            catalog: reporter.catalog, maintenance: try await reporter.maintenance()
        )
        async let dailyCells = reporter.daily(services: names, days: Self.days, nowMs: nowMs)
        let outages = Dictionary(grouping: try await recent, by: \.service)
        let days = try await dailyCells
        let services = current.map { report in
            let result = report.result
            let mine = (outages[result.service] ?? []).sorted { $0.range.startMs > $1.range.startMs }
            return Service(
                name: result.service, state: result.stateAtEnd, target: result.target, availability: result.availability,
                budgetRemainingRatio: result.budget?.remainingRatio, period: report.label, days: days[result.service] ?? [],
                openOutages: mine.filter(\.ongoing), recentOutages: mine.filter { !$0.ongoing }
            )
        }
        let horizon = TimeRange(startMs: nowMs, endMs: nowMs + horizonMs)
        var announcements: [Announcement] = []
        for window in try await reporter.maintenance() {
            switch window.schedule {
            case .once(let range) where range.endMs > nowMs && range.startMs < horizon.endMs:
                announcements.append(Announcement(service: window.service, range: range, reason: window.reason, recurring: false))
            case .weekly(let schedule):
                if let next = schedule.segments(in: TimeRange(startMs: nowMs - 7 * 86_400_000, endMs: horizon.endMs)).first(where: { $0.endMs > nowMs }) {
                    announcements.append(Announcement(service: window.service, range: next, reason: window.reason, recurring: true))
                }
            default:
                break
            }
        }
        announcements.sort { $0.range.startMs < $1.range.startMs }
        return StatusPageModel(generatedMs: nowMs, services: services, maintenance: announcements, hiddenServices: all.count - current.count)
    }

    /// The services the page shows: at most ``maxServices``, those down, degraded or unknown before those
    /// up, each group in its given order.
    static func shown(_ all: [SLAReporter.ServiceReport]) -> [SLAReporter.ServiceReport] {
        guard all.count > maxServices else { return all }
        let rank: (CheckStatus) -> Int = { state in
            switch state {
            case .down: 0
            case .degraded: 1
            case .unknown: 2
            case .up: 3
            }
        }
        let ordered = all.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element.result.stateAtEnd), rank(b.element.result.stateAtEnd))
            return ra != rb ? ra < rb : a.offset < b.offset
        }
        return ordered.prefix(maxServices).map(\.element)
    }
}
