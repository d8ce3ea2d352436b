import Testing
import VigilTestSupport
@testable import VigilCore

@Suite("Interval arithmetic")
struct IntervalTimelineTests {
    /// Folds heartbeats given as (second, status) with a stale limit in seconds.
    func fold(_ beats: [(Int64, CheckStatus)], staleSeconds: Int64 = 25) -> [StateInterval] {
        var runs: [StateInterval] = []
        for (second, status) in beats {
            runs = IntervalTimeline.apply(timestampMs: second * 1000, status: status, to: runs, staleAfterMs: staleSeconds * 1000)
        }
        return runs
    }

    /// The figures the SLA engine gives one location's runs over `[from, to)` seconds, as measured (what
    /// `/v1/services/{service}/uptime` answers).
    func summary(_ runs: [StateInterval], from: Int64, to: Int64) -> SLAResult {
        let window = TimeRange(startMs: from * 1000, endMs: to * 1000)
        let evaluator = SLAEvaluator(service: "s", policy: .asMeasured, window: window, nowMs: window.endMs, maintenance: [])
        return evaluator.evaluate(locations: [LocationHistory(name: "a/c", intervalMs: 10_000, runs: runs)], probes: nil)
    }

    @Test("same status extends one run; each change starts a new row")
    func runsFollowStateChanges() {
        let runs = fold([(0, .up), (10, .up), (20, .down), (30, .down), (40, .up)])
        #expect(runs == [
            StateInterval(status: .up, startMs: 0, endMs: 20_000, lastBeatMs: 10_000, beats: 2),
            StateInterval(status: .down, startMs: 20_000, endMs: 40_000, lastBeatMs: 30_000, beats: 2),
            StateInterval(status: .up, startMs: 40_000, endMs: 65_000, lastBeatMs: 40_000, beats: 1),
        ])
    }

    @Test("down time is exactly first failure to first success")
    func exactSeconds() {
        let runs = fold([(0, .up), (10, .up), (20, .down), (30, .down), (40, .up), (50, .up)])
        let result = summary(runs, from: 0, to: 60)
        #expect(result.upMs == 40_000)
        #expect(result.downMs == 20_000)
        #expect(result.unknownMs == 0)
        #expect(result.availability == 40.0 / 60.0)
        #expect(result.coverage == 1.0)
    }

    @Test("a silent agent turns into unknown after stale_after, not down")
    func staleBecomesUnknown() {
        // Heartbeats every 10 s, stale after 25 s; the agent goes quiet after t=20.
        let runs = fold([(0, .up), (10, .up), (20, .up), (100, .up)])
        #expect(runs.count == 2)
        let result = summary(runs, from: 0, to: 110)
        // Up: [0, 45) and [100, 110); unknown: [45, 100).
        #expect(result.upMs == 55_000)
        #expect(result.downMs == 0)
        #expect(result.unknownMs == 55_000)
        #expect(result.availability == 1.0)
        #expect(result.coverage == 0.5)
    }

    @Test("a down heartbeat also holds only until stale_after")
    func staleDown() {
        let runs = fold([(0, .down)], staleSeconds: 25)
        let result = summary(runs, from: 0, to: 60)
        #expect(result.downMs == 25_000)
        #expect(result.unknownMs == 35_000)
        #expect(result.availability == 0)
    }

    @Test("degraded counts as up and is reported separately")
    func degradedIsUp() {
        let runs = fold([(0, .up), (10, .degraded), (20, .up), (30, .up)])
        let result = summary(runs, from: 0, to: 40)
        #expect(result.upMs == 40_000)
        #expect(result.degradedMs == 10_000)
        #expect(result.availability == 1)
    }

    @Test("a second reading at the same instant does not change anything")
    func duplicateTimestamp() {
        let once = fold([(0, .up), (10, .up)])
        let twice = fold([(0, .up), (10, .up), (10, .down)])
        #expect(once == twice)
    }

    @Test("a late heartbeat fills unknown time and the hold before it, never what was observed")
    func lateHeartbeatFillsGap() {
        var runs = fold([(0, .up), (100, .up)], staleSeconds: 25)
        // Gap [25, 100) is unknown. A late down at 50 fills [50, 75).
        runs = IntervalTimeline.apply(timestampMs: 50_000, status: .down, to: runs, staleAfterMs: 25_000)
        #expect(runs == [
            StateInterval(status: .up, startMs: 0, endMs: 25_000, lastBeatMs: 0),
            StateInterval(status: .down, startMs: 50_000, endMs: 75_000, lastBeatMs: 50_000),
            StateInterval(status: .up, startMs: 100_000, endMs: 125_000, lastBeatMs: 100_000),
        ])
        // A late down at 10 ends the hold of the up at 0 and holds 25 s: down [10, 35), as in order.
        let again = IntervalTimeline.apply(timestampMs: 10_000, status: .down, to: runs, staleAfterMs: 25_000)
        #expect(again == fold([(0, .up), (10, .down), (50, .down), (100, .up)], staleSeconds: 25))
        // A heartbeat at an instant already observed changes nothing.
        #expect(IntervalTimeline.apply(timestampMs: 0, status: .down, to: runs, staleAfterMs: 25_000) == runs)
    }

    @Test("a late heartbeat that touches a run of its status merges with it")
    func lateMerges() {
        var runs = fold([(0, .up), (60, .up)], staleSeconds: 25)
        runs = IntervalTimeline.apply(timestampMs: 25_000, status: .up, to: runs, staleAfterMs: 25_000)
        // [0,25) + [25,50) merge; [60, 85) stays apart.
        #expect(runs.map(\.range) == [TimeRange(startMs: 0, endMs: 50_000), TimeRange(startMs: 60_000, endMs: 85_000)])
    }

    @Test("the window cuts runs at its edges")
    func windowClipping() {
        let runs = fold([(0, .up), (10, .down), (20, .up), (30, .up)])
        let result = summary(runs, from: 5, to: 15)
        #expect(result.upMs == 5_000)
        #expect(result.downMs == 5_000)
        #expect(result.eligibleMs == 10_000)
    }

    @Test("an empty window has no availability")
    func emptyWindow() {
        let result = summary([], from: 10, to: 10)
        #expect(result.availability == nil)
        #expect(result.coverage == nil)
    }

    @Test("as measured, random locations give what a second-by-second majority vote gives", arguments: 0..<40)
    func asMeasuredOracle(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        // 1–4 locations, each a random history of runs on whole seconds with gaps, over 0–600 s.
        let locations = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
            var runs: [StateInterval] = []
            var t = Int64.random(in: 0...60, using: &generator)
            while t < 600 {
                let length = Int64.random(in: 1...90, using: &generator)
                let status = [CheckStatus.up, .up, .down, .degraded].randomElement(using: &generator)!
                runs.append(StateInterval(status: status, startMs: t * 1000, endMs: (t + length) * 1000, lastBeatMs: t * 1000))
                t += length + (Bool.random(using: &generator) ? 0 : Int64.random(in: 1...40, using: &generator))
            }
            return runs
        }
        let from = Int64.random(in: 0...300, using: &generator)
        let to = from + Int64.random(in: 1...400, using: &generator)
        let evaluator = SLAEvaluator(
            service: "s", policy: .asMeasured, window: TimeRange(startMs: from * 1000, endMs: to * 1000), nowMs: to * 1000, maintenance: []
        )
        let result = evaluator.evaluate(
            locations: locations.enumerated().map { LocationHistory(name: "a\($0.offset)/c", intervalMs: 10_000, runs: $0.element) }, probes: nil
        )
        // The oracle: each second's state at every location, by looking, then the majority of those.
        var up: Int64 = 0, degraded: Int64 = 0, down: Int64 = 0
        for second in from..<to {
            let states = locations.map { runs in runs.first { $0.startMs <= second * 1000 && second * 1000 < $0.endMs }?.status ?? .unknown }
            let known = states.filter { $0 != .unknown }
            let bad = known.filter { $0 == .down }.count
            if known.isEmpty { continue }
            if bad * 2 > known.count { down += 1 } else if known.contains(.degraded) { up += 1; degraded += 1 } else { up += 1 }
        }
        #expect(result.upMs == up * 1000, "seed \(seed)")
        #expect(result.degradedMs == degraded * 1000, "seed \(seed)")
        #expect(result.downMs == down * 1000, "seed \(seed)")
        #expect(result.unknownMs == (to - from - up - down) * 1000, "seed \(seed)")
        #expect(result.availability == (up + down > 0 ? Double(up) / Double(up + down) : nil), "seed \(seed)")
        #expect(result.eligibleMs == (to - from) * 1000)
    }

    @Test("stale_after is 2 × interval + timeout")
    func staleAfterDefault() {
        #expect(CheckDefinition(id: 1, name: "a", service: "s", kind: "http", target: "", intervalMs: 10_000, timeoutMs: 5_000).staleAfterMs == 25_000)
        #expect(CheckDefinition(id: 1, name: "a", service: "s", kind: "http", target: "", intervalMs: 10_000).staleAfterMs == 30_000)
    }
}
