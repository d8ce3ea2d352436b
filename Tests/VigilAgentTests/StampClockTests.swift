import Synchronization
import Testing
import VigilCore
@testable import VigilAgent

/// The agent's stamping clock (issue 18): monotonic between probes, re-anchored visibly on a step.
@Suite("Stamp clock")
struct StampClockTests {
    @Test("stamps follow the monotonic clock while the wall clock stays within the threshold")
    func followsMonotonic() {
        var clock = StampClockState(thresholdMs: 1_000)
        // Anchored at wall 1 000 000 / monotonic 50.
        #expect(clock.read(wallMs: 1_000_000, monotonicMs: 50) == .init(stampMs: 1_000_000, adjustMs: 0, stepMs: nil))
        // 10 s later on the monotonic clock; the wall clock was slewed 400 ms back: no step, no reordering.
        #expect(clock.read(wallMs: 1_009_600, monotonicMs: 10_050) == .init(stampMs: 1_010_000, adjustMs: 0, stepMs: nil))
        // Exactly at the threshold (1 000 ms) is still no step.
        #expect(clock.read(wallMs: 1_021_000, monotonicMs: 20_050) == .init(stampMs: 1_020_000, adjustMs: 0, stepMs: nil))
    }

    @Test("a step back of one hour re-anchors, says so once, and every later stamp carries it")
    func stepBack() {
        var clock = StampClockState(thresholdMs: 1_000)
        _ = clock.read(wallMs: 10_000_000, monotonicMs: 0)
        // 30 s later the wall clock reads an hour earlier: stamp 10 030 000 − 3 600 000.
        let step = clock.read(wallMs: 6_430_000, monotonicMs: 30_000)
        #expect(step == .init(stampMs: 6_430_000, adjustMs: -3_600_000, stepMs: -3_600_000))
        // Later stamps follow the new anchor and carry the sum; stamp − adjust is the monotonic time line.
        let later = clock.read(wallMs: 6_440_000, monotonicMs: 40_000)
        #expect(later == .init(stampMs: 6_440_000, adjustMs: -3_600_000, stepMs: nil))
        #expect(later.stampMs - later.adjustMs == 10_040_000)
        // A step forward of 2 s adds up: −3 598 000.
        let forward = clock.read(wallMs: 6_452_000, monotonicMs: 50_000)
        #expect(forward == .init(stampMs: 6_452_000, adjustMs: -3_598_000, stepMs: 2_000))
    }

    @Test("whichever reading makes a step reports it, once: the shipper's header as well as a probe's")
    func stepReportedByAnyReader() {
        let wall = Mutex<Int64>(10_000_000)
        let steps = Mutex<[Int64]>([])
        let clock = StampClock(thresholdMs: 1_000, wallMs: { wall.withLock { $0 } }, onStep: { reading in
            steps.withLock { $0.append(reading.stepMs ?? 0) }
        })
        _ = clock.read()
        wall.withLock { $0 -= 3_600_000 }
        // The shipper stamps its request first (the race CI lost: the probe after it saw no step to log).
        _ = clock.nowMs()
        let probe = clock.read()
        #expect(probe.stepMs == nil)
        let reported = steps.withLock { $0 }
        #expect(reported.count == 1)
        // The monotonic clock ran on for the microseconds between the readings.
        #expect(reported.allSatisfy { (-3_601_000 ... -3_599_000).contains($0) }, "\(reported)")
        #expect(probe.adjustMs == reported.first)
    }

    @Test("spool records keep the adjustment; version 1 records still read")
    func spoolRecordVersions() {
        let adjusted = SpoolRecord(checkName: "web", timestampMs: 6_430_000, status: .down, latencyUs: 7, code: 503, message: "status 503", clockAdjustMs: -3_600_000)
        var bytes: [UInt8] = []
        SpoolRecordCodec.encode(adjusted, into: &bytes)
        #expect(bytes.first == SpoolRecordCodec.adjustedVersion)
        #expect(SpoolRecordCodec.decode(bytes[...]) == adjusted)
        // A record without a step is written as version 1, exactly as before issue 18.
        let plain = SpoolRecord(checkName: "web", timestampMs: 6_430_000, status: .up)
        bytes = []
        SpoolRecordCodec.encode(plain, into: &bytes)
        #expect(bytes.first == SpoolRecordCodec.version)
        #expect(SpoolRecordCodec.decode(bytes[...]) == plain)
        // A version 2 record cut short is refused, not misread.
        bytes = []
        SpoolRecordCodec.encode(adjusted, into: &bytes)
        #expect(SpoolRecordCodec.decode(bytes.dropLast(1)) == nil)
    }
}
