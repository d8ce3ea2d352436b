import Testing
import VigilCore
@testable import VigilCollector

@Suite("Rollup accumulation")
struct RollupAccumulatorTests {
    /// The minute sums one heartbeat at a time, the way rollups are defined (DESIGN §9).
    private func expected(_ heartbeats: [Heartbeat], service: String) -> [RollupAccumulator.Key: ProbeCounts] {
        var rows: [RollupAccumulator.Key: ProbeCounts] = [:]
        for heartbeat in heartbeats {
            let start = RollupAccumulator.floor(heartbeat.timestampMs, to: RollupResolution.minute.rawValue)
            rows[.init(service: service, resolution: RollupResolution.minute.rawValue, startMs: start), default: ProbeCounts()]
                .record(heartbeat.status, latencyUs: heartbeat.latencyUs)
        }
        return rows
    }

    @Test("minute runs summed first give the same minute rows as heartbeat by heartbeat, across minute, hour and day edges")
    func sameAsPerHeartbeat() {
        // 1 s probes from 40 s before midnight UTC to 100 s after it, with a failure every 7th probe,
        // and a run before 1970 to check that periods floor towards the past.
        let midnight: Int64 = 1_767_225_600_000
        var beats: [Heartbeat] = []
        for second in -40..<100 {
            let down = second % 7 == 0
            beats.append(Heartbeat(
                check: 1, timestampMs: midnight + Int64(second) * 1_000, status: down ? .down : .up,
                latencyUs: UInt32(1_000 + (second + 40) * 3_000), code: down ? 503 : 200, message: ""
            ))
        }
        let early = (0..<90).map { Heartbeat(check: 2, timestampMs: -45_000 + Int64($0) * 1_000, status: .degraded, latencyUs: 900_000, code: 200, message: "") }

        var accumulator = RollupAccumulator()
        accumulator.record(sorted: beats, service: "web")
        accumulator.record(sorted: early, service: "old")
        var want = expected(beats, service: "web")
        want.merge(expected(early, service: "old")) { $0.adding($1) }
        #expect(accumulator.rows == want)
        // 3 minutes around midnight; the early run: 2 minutes. No hour or day rows.
        #expect(accumulator.rows.count == 3 + 2)
        #expect(accumulator.rows[.init(service: "old", resolution: 60_000, startMs: -60_000)]?.degraded == 45)
    }
}

private extension ProbeCounts {
    func adding(_ other: ProbeCounts) -> ProbeCounts {
        var sum = self
        sum.add(other)
        return sum
    }
}
