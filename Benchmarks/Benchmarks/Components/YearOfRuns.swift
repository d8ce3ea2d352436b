import VigilCore

/// A year of one check's state runs at one location: 30 s probes, a few outages a month, degraded
/// stretches and now and then a silent gap, from a fixed seed so every run evaluates the same history.
struct YearOfRuns {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    private mutating func next(_ bound: Int64) -> Int64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int64(state % UInt64(bound))
    }

    mutating func runs(over year: TimeRange) -> [StateInterval] {
        var runs: [StateInterval] = []
        var at = year.startMs
        while at < year.endMs {
            // Up for 1–100 hours, then a short spell of something else.
            let upMs = (3_600 + next(360_000)) * 1_000
            runs.append(interval(.up, at, min(year.endMs, at + upMs)))
            at += upMs
            guard at < year.endMs else { break }
            let roll = next(10)
            let status: CheckStatus = roll < 6 ? .down : roll < 9 ? .degraded : .unknown
            let lengthMs = (60 + next(2_700)) * 1_000
            runs.append(interval(status, at, min(year.endMs, at + lengthMs)))
            at += lengthMs
        }
        return runs
    }

    private func interval(_ status: CheckStatus, _ start: Int64, _ end: Int64) -> StateInterval {
        StateInterval(status: status, startMs: start, endMs: end, lastBeatMs: end - 1, beats: max(1, (end - start) / 30_000), message: status == .down ? "HTTP 503" : "")
    }
}
