import VigilCore
import VigilWire

/// Turns stored intervals into service availability (the `time` method, unknown excluded).
struct UptimeCalculator: Sendable {
    let store: any Store

    /// Availability of `service` over `[fromMs, toMs)`, cut at `nowMs`; `nil` when the service is unknown.
    func report(service: String, fromMs: Int64, toMs: Int64, nowMs: Int64) async throws -> UptimeReport? {
        let checks = try await store.checks(service: service)
        guard !checks.isEmpty else { return nil }
        let window = TimeRange(startMs: fromMs, endMs: max(fromMs, min(toMs, nowMs)))
        var locations: [[StateInterval]] = []
        for check in checks {
            locations.append(try await store.intervals(checkID: check.id, overlapping: window))
        }
        let summary = UptimeSummary.summarize(ServiceTimeline.combine(locations, over: window), over: window)
        return UptimeReport(
            service: service, from: ISOTime.format(ms: window.startMs), to: ISOTime.format(ms: window.endMs),
            availability: summary.availability, coverage: summary.coverage,
            upSeconds: Self.seconds(summary.upMs), degradedSeconds: Self.seconds(summary.degradedMs),
            downSeconds: Self.seconds(summary.downMs), unknownSeconds: Self.seconds(summary.unknownMs),
            eligibleSeconds: Self.seconds(summary.eligibleMs), checks: checks.count
        )
    }

    /// Each check's state at `nowMs` and the service state they make.
    func current(service: String, nowMs: Int64) async throws -> (state: CheckStatus, checks: [(CheckRecord, CheckStatus)]) {
        let checks = try await store.checks(service: service)
        var states: [(CheckRecord, CheckStatus)] = []
        for check in checks {
            let runs = try await store.intervals(checkID: check.id, overlapping: TimeRange(startMs: nowMs, endMs: nowMs + 1))
            states.append((check, runs.first?.status ?? .unknown))
        }
        return (Quorum.majority.combine(states.map(\.1)), states)
    }

    static func seconds(_ ms: Int64) -> Double { Double(ms) / 1000 }
}
