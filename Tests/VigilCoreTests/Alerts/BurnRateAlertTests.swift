import Testing
@testable import VigilCore

@Suite("Multiwindow burn-rate alerts")
struct BurnRateAlertTests {
    let target = Percentage("99.9")!
    let start = utc(2026, 11, 1)
    func always(_ range: TimeRange) -> [TimeRange] { [range] }

    /// Service segments: up, with the given down stretches.
    func segments(until end: Int64, down: [TimeRange]) -> [ServiceTimeline.Segment] {
        var result: [ServiceTimeline.Segment] = []
        var cursor = start
        for stretch in down {
            result.append(.init(status: .up, range: TimeRange(startMs: cursor, endMs: stretch.startMs)))
            result.append(.init(status: .down, range: stretch))
            cursor = stretch.endMs
        }
        result.append(.init(status: .up, range: TimeRange(startMs: cursor, endMs: end)))
        return result.filter { !$0.range.isEmpty }
    }

    @Test("a 100 % outage pages after 0.864 min, as the workbook table predicts")
    func fullOutagePages() {
        // 1h window at 14.4× with error rate 1 against a 0.1 % budget: 60 min × 14.4 × 0.001 = 0.864 min
        // (51.84 s); the 5m window is above 14.4× after 4.32 s.
        let outageStart = start + 3 * day
        let history = segments(until: outageStart + hour, down: [TimeRange(startMs: outageStart, endMs: outageStart + hour)])
        let rules = BurnRateAlerts.thirtyDayRules
        func pages(at ms: Int64) -> Bool {
            BurnRateAlerts.firing(rules, segments: history, nowMs: ms, target: target, eligible: always).contains { $0.rule.severity == .page }
        }
        #expect(!pages(at: outageStart + 51_000))
        #expect(pages(at: outageStart + 52_000))
    }

    @Test("0.2 % errors against 99.9 % raise only the slow ticket alert (3d/6h)")
    func slowBurn() {
        // 1.2 s down every 10 minutes for three days: 0.2 % errors, a burn rate of 2.
        var down: [TimeRange] = []
        var t = start
        while t < start + 3 * day {
            down.append(TimeRange(startMs: t + 300_000, endMs: t + 301_200))
            t += 600_000
        }
        let now = start + 3 * day
        let firing = BurnRateAlerts.firing(BurnRateAlerts.thirtyDayRules, segments: segments(until: now, down: down), nowMs: now, target: target, eligible: always)
        #expect(firing.map(\.rule.name) == ["ticket 3d/6h"])
        #expect(firing[0].longRate == 2)
    }

    @Test("a single blip raises nothing: unconfirmed, it counts as up")
    func blip() {
        var probes = Probes()
        let now = start + day
        probes.add(.up, from: start, to: start + 12 * hour, every: minute)
        probes.add(.down, from: start + 12 * hour, to: start + 12 * hour + minute, every: minute)
        probes.add(.up, from: start + 12 * hour + minute, to: now, every: minute)
        let location = LocationTimeline(runs: probes.runs(staleAfterMs: 3 * minute), confirmation: Confirmation(), intervalMs: Int64(minute))
        let service = ServiceTimeline.combine(segments: [location.segments], over: TimeRange(startMs: start, endMs: now))
        for offset in stride(from: Int64(0), to: 2 * hour, by: Int(minute)) {
            let at = start + 12 * hour + offset
            #expect(BurnRateAlerts.firing(BurnRateAlerts.thirtyDayRules, segments: service, nowMs: at, target: target, eligible: always).isEmpty)
        }
    }

    @Test("factors scale with the SLA period")
    func scaling() {
        #expect(BurnRateAlerts.rules(for: .month).map(\.factor) == [ExactRatio(decimal: "14.4")!, 6, 3, 1])
        // A quarter is three 30-day months: 3 × 14.4 = 43.2 exactly.
        #expect(BurnRateAlerts.rules(for: .quarter).map(\.factor) == [ExactRatio(decimal: "43.2")!, 18, 9, 3])
    }

    @Test("a rule needs its short window's worth of data: seconds of history do not page")
    func littleHistory() {
        // 12 s of data, 10 s of it down: the error ratio is huge but nothing is known for 5 minutes yet.
        let now = start + 12_000
        let history = [
            ServiceTimeline.Segment(status: .up, range: TimeRange(startMs: start, endMs: start + 2_000)),
            ServiceTimeline.Segment(status: .down, range: TimeRange(startMs: start + 2_000, endMs: now)),
        ]
        #expect(BurnRateAlerts.firing(BurnRateAlerts.thirtyDayRules, segments: history, nowMs: now, target: target, eligible: always).isEmpty)
        // With 6 minutes of history of which the last 3 are down, the page rule 1h/5m fires.
        let later = start + 360_000
        let longer = [
            ServiceTimeline.Segment(status: .up, range: TimeRange(startMs: start, endMs: start + 180_000)),
            ServiceTimeline.Segment(status: .down, range: TimeRange(startMs: start + 180_000, endMs: later)),
        ]
        #expect(BurnRateAlerts.firing(BurnRateAlerts.thirtyDayRules, segments: longer, nowMs: later, target: target, eligible: always).map(\.rule.name) == ["page 1h/5m"])
    }

    @Test("a rule fires strictly above its factor, never at it, and the rate is exact", arguments: [Int64(-1), 0, 1])
    func exactThreshold(offsetMs: Int64) {
        // 99.99 %: the page rule 1h/5m fires above 14.4×. Down (5 184 + offset) ms at the end of an hour
        // of history: the hour's rate is (5 184 + offset) / 3 600 000 / 0.0001 = (5 184 + offset) / 360,
        // exactly 14.4 at offset 0; the last 5 minutes burn at (5 184 + offset) / 30 ≫ 14.4.
        let strict = Percentage("99.99")!
        let now = start + 3 * day
        let downMs = 5_184 + offsetMs
        let history = segments(until: now, down: [TimeRange(startMs: now - downMs, endMs: now)])
        let rate = BurnRateAlerts.rate(segments: history, over: hour, nowMs: now, target: strict, eligible: always)
        #expect(rate == ExactRatio(Int128(downMs), over: 360))
        #expect(offsetMs != 0 || rate?.double == 14.4)
        let firing = BurnRateAlerts.firing(BurnRateAlerts.thirtyDayRules, segments: history, nowMs: now, target: strict, eligible: always)
        #expect(firing.map(\.rule.name).contains("page 1h/5m") == (offsetMs > 0))
    }
}
