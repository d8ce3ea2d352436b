import VigilCore
import VigilWire

/// Turns stored intervals into service availability (the `time` method, unknown excluded).
struct UptimeCalculator: Sendable {
    let store: any ReportStore

    /// A service over a window, and each of its checks' state at "now", from one read of the store.
    struct ServiceView: Sendable {
        var report: UptimeReport
        /// The service state now, by majority of the checks whose state is known.
        var state: CheckStatus
        var checks: [(CheckRecord, CheckStatus)]
    }

    /// Availability of `service` over `[fromMs, toMs)`, cut at `nowMs`, and its state at `nowMs`; `nil`
    /// when no check reports to the service.
    func view(service: String, fromMs: Int64, toMs: Int64, nowMs: Int64) async throws -> ServiceView? {
        let checks = try await store.checks(service: service)
        guard !checks.isEmpty else { return nil }
        let window = TimeRange(startMs: fromMs, endMs: max(fromMs, min(toMs, nowMs)))
        // Read through "now" as well, so the run that holds at this instant comes with the same query.
        let read = TimeRange(startMs: window.startMs, endMs: max(window.endMs, nowMs + 1))
        var locations: [[StateInterval]] = []
        var states: [(CheckRecord, CheckStatus)] = []
        for check in checks {
            let runs = try await store.intervals(checkID: check.id, overlapping: read)
            locations.append(runs)
            states.append((check, runs.last { $0.startMs <= nowMs && nowMs < $0.endMs }?.status ?? .unknown))
        }
        let summary = UptimeSummary.summarize(ServiceTimeline.combine(locations, over: window), over: window)
        let report = UptimeReport(
            service: service, from: ISOTime.format(ms: window.startMs), to: ISOTime.format(ms: window.endMs),
            availability: summary.availability, coverage: summary.coverage,
            upSeconds: Self.seconds(summary.upMs), degradedSeconds: Self.seconds(summary.degradedMs),
            downSeconds: Self.seconds(summary.downMs), unknownSeconds: Self.seconds(summary.unknownMs),
            eligibleSeconds: Self.seconds(summary.eligibleMs), checks: checks.count
        )
        return ServiceView(report: report, state: Quorum.majority.combine(states.map(\.1)), checks: states)
    }

    static func seconds(_ ms: Int64) -> Double { Double(ms) / 1000 }
}
