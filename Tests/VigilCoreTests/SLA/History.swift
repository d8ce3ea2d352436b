@testable import VigilCore

/// Milliseconds at a UTC wall-clock time.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
    (CivilDate(year: year, month: month, day: day).daysSinceEpoch * 86_400 + Int64(hour * 3_600 + minute * 60 + second)) * 1_000
}

let minute: Int64 = 60_000
let hour: Int64 = 3_600_000
let day: Int64 = 86_400_000

/// Heartbeats of one location, folded the way the store folds them.
struct Probes {
    var beats: [(Int64, CheckStatus, String)] = []

    /// One heartbeat every `every` ms in `[from, to)`.
    mutating func add(_ status: CheckStatus, from: Int64, to: Int64, every: Int64, message: String = "") {
        var t = from
        while t < to {
            beats.append((t, status, message))
            t += every
        }
    }

    func runs(staleAfterMs: Int64) -> [StateInterval] {
        var runs: [StateInterval] = []
        for (t, status, message) in beats.sorted(by: { $0.0 < $1.0 }) {
            let tip = runs.popLast().map { [$0] } ?? []
            runs += IntervalTimeline.apply(timestampMs: t, status: status, message: message, to: tip, staleAfterMs: staleAfterMs)
        }
        return runs
    }

    /// Counts for the occurrences method, over `range`.
    func counts(in range: TimeRange, latencyUs: UInt32 = 50_000) -> ProbeCounts {
        var counts = ProbeCounts()
        for (t, status, _) in beats where t >= range.startMs && t < range.endMs {
            counts.record(status, latencyUs: latencyUs)
        }
        return counts
    }
}

/// Evaluates one service whose locations' heartbeats are given.
func evaluate(
    _ policy: ServicePolicy, window: TimeRange, now: Int64? = nil, maintenance: [MaintenanceWindow] = [],
    locations: [(String, Probes)], intervalMs: Int64, probes: ProbeCounts? = nil
) -> SLAResult {
    let evaluator = SLAEvaluator(
        service: "api", policy: policy, window: window, nowMs: now ?? window.endMs + day, maintenance: maintenance
    )
    let histories = locations.map { name, beats in
        LocationHistory(name: name, intervalMs: intervalMs, runs: beats.runs(staleAfterMs: 3 * intervalMs))
    }
    return evaluator.evaluate(locations: histories, probes: probes, explain: true)
}

func policy(target: String? = nil, _ configure: (inout ServicePolicy) -> Void = { _ in }) -> ServicePolicy {
    var policy = ServicePolicy()
    policy.target = target.flatMap { Percentage($0) }
    configure(&policy)
    return policy
}
