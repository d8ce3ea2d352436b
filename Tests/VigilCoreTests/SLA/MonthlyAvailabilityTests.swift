import Testing
@testable import VigilCore

@Suite("SLA engine: a month against 99.9 %")
struct MonthlyAvailabilityTests {
    /// Probes every 48 s around the clock, with one outage of exactly 43 min 12 s (2 592 s = 54 failed
    /// probes; the outage ends at the 55th probe, the first success).
    func month(_ window: TimeRange) -> SLAResult {
        var probes = Probes()
        let outage = window.startMs + 9 * day
        probes.add(.up, from: window.startMs, to: outage, every: 48_000)
        probes.add(.down, from: outage, to: outage + 2_592_000, every: 48_000, message: "status 503")
        probes.add(.up, from: outage + 2_592_000, to: window.endMs + 48_000, every: 48_000)
        return evaluate(policy(target: "99.9"), window: window, locations: [("a/api", probes)], intervalMs: 48_000)
    }

    @Test("31-day month: 43 min 12 s down is within the 44 min 38.4 s budget")
    func thirtyOneDays() {
        // October 2026 has 31 × 86 400 = 2 678 400 s. Budget = 0.1 % of that = 2 678.4 s (44 min 38.4 s).
        // 43 min 12 s = 2 592 s is the budget of a 30-day month, so here it is met with 86.4 s to spare:
        // availability = 2 675 808 / 2 678 400 = 99.903 225 8 %.
        let result = month(TimeRange(startMs: utc(2026, 10, 1), endMs: utc(2026, 11, 1)))
        #expect(result.eligibleMs == 2_678_400_000)
        #expect(result.downMs == 2_592_000)
        #expect(result.upMs == 2_675_808_000)
        #expect(result.coverage == 1)
        #expect(abs(result.availability! - 2_675_808.0 / 2_678_400.0) < 1e-12)
        #expect(result.met == true)
        #expect(abs(result.budget!.total - 2_678.4) < 1e-6)
        #expect(abs(result.budget!.remaining - 86.4) < 1e-6)
        #expect(result.outageCount == 1)
        #expect(result.totalDowntimeMs == 2_592_000)
        #expect(result.outages[0].firstMessage == "status 503")
        // Confirmed at the second failure, 48 s after the first.
        #expect(result.meanTimeToDetectMs == 48_000)
        #expect(result.stateAtEnd == .up)
    }

    @Test("30-day month: the same outage is exactly at the target, which is met")
    func thirtyDaysAtTarget() {
        // November 2026: 2 592 000 s; budget 2 592 s; down 2 592 s → 99.9 % exactly, remaining 0.
        let result = month(TimeRange(startMs: utc(2026, 11, 1), endMs: utc(2026, 12, 1)))
        #expect(result.good == 2_589_408_000 && result.counted == 2_592_000_000)
        #expect(result.met == true)
        #expect(abs(result.budget!.remaining) < 1e-6)
        #expect(result.missedByPoints == nil)
    }

    @Test("28-day month: the same outage misses by 172.8 s, 0.007 142 9 points")
    func februaryMissed() {
        // February 2026: 28 × 86 400 = 2 419 200 s; budget 2 419.2 s; down 2 592 s → over by 172.8 s.
        // availability = 2 416 608 / 2 419 200 = 99.892 857 1 %, missed by 99.9 − 99.892 857 1 = 0.007 142 9.
        let result = month(TimeRange(startMs: utc(2026, 2, 1), endMs: utc(2026, 3, 1)))
        #expect(result.met == false)
        #expect(abs(result.budget!.remaining - -172.8) < 1e-6)
        #expect(abs(result.missedByPoints! - 0.0071428571) < 1e-8)
        #expect(abs(result.budget!.remainingRatio! - -172.8 / 2_419.2) < 1e-9)
    }

    @Test("burn rate over the last hour of a window that ends in an outage")
    func burnRate() {
        // The last 30 min of the 1 h look-back are down: error ratio 0.5, budget share 0.001 → 500×.
        let window = TimeRange(startMs: utc(2026, 11, 1), endMs: utc(2026, 11, 2))
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: window.endMs - 30 * minute, every: minute)
        probes.add(.down, from: window.endMs - 30 * minute, to: window.endMs + minute, every: minute)
        let result = evaluate(policy(target: "99.9"), window: window, now: window.endMs, locations: [("a/api", probes)], intervalMs: minute)
        #expect(result.burnRates.map(\.windowMs) == [hour, 6 * hour, day, 3 * day])
        #expect(abs(result.burnRates[0].rate! - 500) < 1e-6)
        // Over 6 h: 30 min / 6 h = 1/12 → 83.33×.
        #expect(abs(result.burnRates[1].rate! - 1_000.0 / 12) < 1e-6)
        #expect(result.outages.count == 1 && result.outages[0].ongoing)
        #expect(result.stateAtEnd == .down)
    }
}
