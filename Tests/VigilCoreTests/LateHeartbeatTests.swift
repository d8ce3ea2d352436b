import Testing
import VigilTestSupport
@testable import VigilCore

/// Late heartbeats (issue 18): whatever order the batches of one check arrive in, the stored runs
/// describe the same states, outages and blips as in-order delivery.
@Suite("Late heartbeats")
struct LateHeartbeatTests {
    static let interval: Int64 = 10_000
    static let stale: Int64 = 25_000  // 2 × interval + 5 s timeout

    /// Applies heartbeats one by one, the way the store folds a batch.
    static func fold(_ beats: [(Int64, CheckStatus)], into runs: [StateInterval] = []) -> [StateInterval] {
        var runs = runs
        for (t, status) in beats {
            runs = IntervalTimeline.apply(timestampMs: t, status: status, to: runs, staleAfterMs: stale, intervalMs: interval)
        }
        return runs
    }

    static func seconds(_ beats: [(Int64, CheckStatus)]) -> [(Int64, CheckStatus)] {
        beats.map { ($0.0 * 1_000, $0.1) }
    }

    @Test("a late heartbeat ends the hold before it and holds until the next run")
    func lateEndsHold() {
        // In order: up at 0 and 100 (stale 25 s): up [0, 25), unknown [25, 100), up [100, 125).
        var runs = Self.fold(Self.seconds([(0, .up), (100, .up)]))
        // A late down at 10 ends the up's hold at 10 and holds 25 s: down [10, 35).
        runs = Self.fold(Self.seconds([(10, .down)]), into: runs)
        // A late down at 20 continues it: down [10, 45), two heartbeats.
        runs = Self.fold(Self.seconds([(20, .down)]), into: runs)
        // A late up at 80 holds until the up at 100, where it is capped: up [80, 100).
        runs = Self.fold(Self.seconds([(80, .up)]), into: runs)
        #expect(runs == [
            StateInterval(status: .up, startMs: 0, endMs: 10_000, lastBeatMs: 0),
            StateInterval(status: .down, startMs: 10_000, endMs: 45_000, lastBeatMs: 20_000, beats: 2),
            StateInterval(status: .up, startMs: 80_000, endMs: 100_000, lastBeatMs: 80_000),
            StateInterval(status: .up, startMs: 100_000, endMs: 125_000, lastBeatMs: 100_000),
        ])
        // The same heartbeats in order: the same states (the two touching up runs are one).
        let inOrder = Self.fold(Self.seconds([(0, .up), (10, .down), (20, .down), (80, .up), (100, .up)]))
        #expect(IntervalTimeline.joined(runs) == IntervalTimeline.joined(inOrder))
    }

    @Test("late failures confirm an outage across batches, as in order")
    func lateOutageConfirms() {
        // Heartbeats every 10 s from 0 to 200 s; down from 60 s to 120 s (6 failures), threshold 2.
        let beats = Self.seconds((0..<21).map { i in (Int64(i) * 10, (6..<12).contains(i) ? CheckStatus.down : .up) })
        // The newest batch arrives first, then the other two, each heartbeat alone (the worst case).
        var runs = Self.fold(Array(beats[14...]))
        for beat in beats[..<14].reversed() { runs = Self.fold([beat], into: runs) }
        let timeline = LocationTimeline(runs: runs, confirmation: Confirmation(), intervalMs: Self.interval)
        // Down exactly [60, 120): 60 s, confirmed at the second failure (70 s); no blip.
        #expect(timeline.downSpans.map(\.range) == [TimeRange(startMs: 60_000, endMs: 120_000)])
        #expect(timeline.downSpans.first?.confirmedAtMs == 70_000)
        #expect(timeline.blips.isEmpty)
        // Up [0, 60) and [120, 225): 225 − 60 = 165 s up in all.
        #expect(timeline.segments == [
            .init(status: .up, range: TimeRange(startMs: 0, endMs: 60_000)),
            .init(status: .down, range: TimeRange(startMs: 60_000, endMs: 120_000)),
            .init(status: .up, range: TimeRange(startMs: 120_000, endMs: 225_000)),
        ])
    }

    @Test("a late heartbeat inside what a run observed never rewrites it")
    func observedStays() {
        // Up at 0, 10, 20: observed [0, 20]. A down at 10 (a second reading) and one at 15 change nothing
        // but the count of agreeing heartbeats.
        let runs = Self.fold(Self.seconds([(0, .up), (10, .up), (20, .up)]))
        #expect(Self.fold(Self.seconds([(10, .down), (15, .down)]), into: runs) == runs)
        let agreeing = Self.fold(Self.seconds([(15, .up)]), into: runs)
        #expect(agreeing == [StateInterval(status: .up, startMs: 0, endMs: 45_000, lastBeatMs: 20_000, beats: 4)])
    }

    @Test("a gap of a missing heartbeat starts a touching run so the heartbeat can come late")
    func gapSplitsRun() {
        // Up at 0, 10, then 30 (the one at 20 is missing: gap 20 s > 15 s): two touching runs.
        let runs = Self.fold(Self.seconds([(0, .up), (10, .up), (30, .up)]))
        #expect(runs == [
            StateInterval(status: .up, startMs: 0, endMs: 30_000, lastBeatMs: 10_000, beats: 2),
            StateInterval(status: .up, startMs: 30_000, endMs: 55_000, lastBeatMs: 30_000),
        ])
        // The missing down at 20 arrives: up [0, 20), down [20, 30), up [30, 55), exactly as in order.
        let late = Self.fold(Self.seconds([(20, .down)]), into: runs)
        #expect(late == Self.fold(Self.seconds([(0, .up), (10, .up), (20, .down), (30, .up)])))
    }

    /// One random history: heartbeats about every interval (±20 %), sometimes silent for a while, the
    /// status changing at random.
    static func history(_ generator: inout SeededGenerator) -> [(Int64, CheckStatus)] {
        var beats: [(Int64, CheckStatus)] = []
        var t = Int64.random(in: 0..<interval, using: &generator)
        var status = CheckStatus.up
        let count = Int.random(in: 1...120, using: &generator)
        for _ in 0..<count {
            beats.append((t, status))
            if Bool.random(using: &generator) {
                status = [CheckStatus.up, .down, .degraded].randomElement(using: &generator)!
            }
            t += interval + Int64.random(in: -2_000...2_000, using: &generator)
            if Int.random(in: 0..<25, using: &generator) == 0 {
                t += Int64.random(in: 1...8, using: &generator) * interval  // the agent was silent
            }
        }
        return beats
    }

    @Test("any batch order gives the in-order states, outages, blips and figures", arguments: 0..<8)
    func shuffledBatchesMatchInOrder(block: UInt64) {
        for seed in block * 250..<(block + 1) * 250 {
            var generator = SeededGenerator(seed: seed)
            let beats = Self.history(&generator)
            // Contiguous batches of 1 to 4 heartbeats (an agent that ships every few seconds sends one
            // heartbeat of a check per batch), delivered in a random order.
            var batches: [[(Int64, CheckStatus)]] = []
            var index = 0
            while index < beats.count {
                let size = Int.random(in: 1...4, using: &generator)
                batches.append(Array(beats[index..<min(index + size, beats.count)]))
                index += size
            }
            batches.shuffle(using: &generator)
            let inOrder = Self.fold(beats)
            var shuffled: [StateInterval] = []
            for batch in batches { shuffled = Self.fold(batch, into: shuffled) }
            #expect(IntervalTimeline.joined(shuffled) == IntervalTimeline.joined(inOrder), "seed \(seed)")

            let confirmation = Confirmation(failureThreshold: 2, successThreshold: 2)
            let a = LocationTimeline(runs: inOrder, confirmation: confirmation, intervalMs: Self.interval)
            let b = LocationTimeline(runs: shuffled, confirmation: confirmation, intervalMs: Self.interval)
            #expect(a.segments == b.segments, "seed \(seed)")
            #expect(a.downSpans == b.downSpans, "seed \(seed)")
            #expect(a.blips == b.blips, "seed \(seed)")
        }
    }
}
