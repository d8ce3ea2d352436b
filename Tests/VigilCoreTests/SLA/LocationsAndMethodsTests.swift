import Testing
@testable import VigilCore

@Suite("SLA engine: locations, confirmation, unknown time and methods")
struct LocationsAndMethodsTests {
    let window = TimeRange(startMs: utc(2026, 11, 3), endMs: utc(2026, 11, 4))

    func upAllDay() -> Probes {
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: window.endMs + minute, every: minute)
        return probes
    }

    @Test("three locations, one partitioned: majority stays up, all does not")
    func partitionedLocation() {
        // Location c cannot reach the target 10:00–14:00 (4 h); a and b can.
        var c = Probes()
        c.add(.up, from: window.startMs, to: utc(2026, 11, 3, 10), every: minute)
        c.add(.down, from: utc(2026, 11, 3, 10), to: utc(2026, 11, 3, 14), every: minute, message: "timeout after 10s")
        c.add(.up, from: utc(2026, 11, 3, 14), to: window.endMs + minute, every: minute)
        let locations = [("a/api", upAllDay()), ("b/api", upAllDay()), ("c/api", c)]

        let majority = evaluate(policy(target: "99.9"), window: window, locations: locations, intervalMs: minute)
        #expect(majority.availability == 1)
        #expect(majority.outages.isEmpty)
        #expect(majority.locations.first { $0.name == "c/api" }?.downMs == 4 * hour)

        // all: one location seeing it down is enough → 20 h / 24 h = 83.333 %.
        let all = evaluate(policy(target: "99.9") { $0.quorum = .all }, window: window, locations: locations, intervalMs: minute)
        #expect(all.downMs == 4 * hour)
        #expect(abs(all.availability! - 20.0 / 24) < 1e-12)
        #expect(all.outages.map(\.locations) == [["c/api"]])
        #expect(all.outages.first?.firstMessage == "timeout after 10s")

        // Two of three must see it up: still up.
        let two = evaluate(policy { $0.quorum = .atLeast(2) }, window: window, locations: locations, intervalMs: minute)
        #expect(two.availability == 1)
    }

    @Test("unknown time: excluded, counted as up, counted as down")
    func unknownPolicies() {
        // Up 00:00–20:00, down 20:00–21:00, then the agent is silent: the last probe at 20:59 holds for
        // stale_after (3 min) until 21:02, so 21:02–24:00 is unknown (2 h 58 min).
        // exclude: up 20 h, down 1 h 2 min → 1 200 / 1 262 = 95.087 %; coverage 1 262 / 1 440.
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: utc(2026, 11, 3, 20), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 20), to: utc(2026, 11, 3, 21), every: minute)
        let locations = [("a/api", probes)]
        let excluded = evaluate(policy(), window: window, locations: locations, intervalMs: minute)
        #expect(excluded.upMs == 20 * hour)
        #expect(excluded.downMs == 62 * minute)
        #expect(excluded.unknownMs == 178 * minute)
        #expect(abs(excluded.availability! - 1_200.0 / 1_262) < 1e-12)
        #expect(abs(excluded.coverage! - 1_262.0 / 1_440) < 1e-12)
        // up: (1 200 + 178) / 1 440 = 95.694 %.
        let asUp = evaluate(policy { $0.unknownPolicy = .up }, window: window, locations: locations, intervalMs: minute)
        #expect(abs(asUp.availability! - 1_378.0 / 1_440) < 1e-12)
        // down: 1 200 / 1 440 = 83.333 %.
        let asDown = evaluate(policy { $0.unknownPolicy = .down }, window: window, locations: locations, intervalMs: minute)
        #expect(abs(asDown.availability! - 1_200.0 / 1_440) < 1e-12)
    }

    @Test("one history under the time, occurrences and timeslices methods")
    func methods() {
        // One hour, probes each minute at :30 s (60 probes, 00:00:30 … 00:59:30). Probes 10, 11 and 12
        // (00:10:30, 00:11:30, 00:12:30) fail; 00:13:30 succeeds.
        // time: 00:00:00–00:00:30 unknown; down 00:10:30–00:13:30 = 180 s; up 3 600 − 30 − 180 = 3 390 s
        //       → 3 390 / 3 570 = 94.958 %.
        // occurrences: 57 good of 60 = 95 %.
        // timeslices (1 min, bad when any down): minutes 10, 11, 12, 13 hold down time → 56 / 60 = 93.333 %.
        let hourWindow = TimeRange(startMs: utc(2026, 11, 3), endMs: utc(2026, 11, 3, 1))
        var probes = Probes()
        let first = hourWindow.startMs + 30_000
        probes.add(.up, from: first, to: first + 10 * minute, every: minute)
        probes.add(.down, from: first + 10 * minute, to: first + 13 * minute, every: minute)
        probes.add(.up, from: first + 13 * minute, to: hourWindow.endMs + minute, every: minute)
        let counts = probes.counts(in: hourWindow)
        #expect(counts.good == 57 && counts.total == 60)

        let time = evaluate(policy(target: "95"), window: hourWindow, locations: [("a/api", probes)], intervalMs: minute, probes: counts)
        #expect(time.upMs == 3_390_000 && time.downMs == 180_000 && time.unknownMs == 30_000)
        #expect(abs(time.availability! - 3_390.0 / 3_570) < 1e-12)
        #expect(time.met == false)
        #expect(abs(time.availabilityByMethod["occurrences"]! - 0.95) < 1e-12)

        let occurrences = evaluate(policy(target: "95") { $0.method = .occurrences }, window: hourWindow, locations: [("a/api", probes)], intervalMs: minute, probes: counts)
        #expect(occurrences.good == 57 && occurrences.counted == 60)
        #expect(occurrences.met == true)
        #expect(occurrences.budget?.unit == "probes")
        #expect(abs(occurrences.budget!.total - 3) < 1e-9)

        let slices = evaluate(
            policy(target: "95") { $0.method = .timeslices(lengthMs: minute, badAbove: Percentage(ppm: 0)) },
            window: hourWindow, locations: [("a/api", probes)], intervalMs: minute, probes: counts
        )
        #expect(slices.good == 56 && slices.counted == 60)
        #expect(slices.met == false)
        // With a slice bad only when more than half of it is down: minutes 10 and 13 hold 30 s each,
        // which is not above 50 % → only 11 and 12 are bad → 58 / 60.
        let lenient = evaluate(
            policy { $0.method = .timeslices(lengthMs: minute, badAbove: Percentage("50")!) },
            window: hourWindow, locations: [("a/api", probes)], intervalMs: minute
        )
        #expect(lenient.good == 58 && lenient.counted == 60)
    }

    @Test("confirmation: a single failure is a blip, an outage is backdated and ends at the first success")
    func confirmation() {
        // failure_threshold 3: one failure at 05:00 is a blip (counted up); failures 08:00, 08:01, 08:02
        // confirm at 08:02 and the outage runs from 08:00 to the first success at 08:03.
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: utc(2026, 11, 3, 5), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 5), to: utc(2026, 11, 3, 5, 1), every: minute)
        probes.add(.up, from: utc(2026, 11, 3, 5, 1), to: utc(2026, 11, 3, 8), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 8), to: utc(2026, 11, 3, 8, 3), every: minute)
        probes.add(.up, from: utc(2026, 11, 3, 8, 3), to: window.endMs + minute, every: minute)
        let result = evaluate(policy { $0.confirmation = Confirmation(failureThreshold: 3) }, window: window, locations: [("a/api", probes)], intervalMs: minute)
        #expect(result.blipCount == 1)
        #expect(result.downMs == 3 * minute)
        #expect(result.outages.map(\.range) == [TimeRange(startMs: utc(2026, 11, 3, 8), endMs: utc(2026, 11, 3, 8, 3))])
        #expect(result.outages[0].detectedAtMs == utc(2026, 11, 3, 8, 2))
        #expect(result.meanTimeToDetectMs == 2 * minute)
        #expect(result.mttrMs == 3 * minute)
    }

    @Test("success_threshold 2: one success inside an outage does not end it")
    func successThreshold() {
        // Down 08:00–08:10, one success at 08:10, down 08:11–08:20, up from 08:20 (two successes).
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: utc(2026, 11, 3, 8), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 8), to: utc(2026, 11, 3, 8, 10), every: minute)
        probes.add(.up, from: utc(2026, 11, 3, 8, 10), to: utc(2026, 11, 3, 8, 11), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 8, 11), to: utc(2026, 11, 3, 8, 20), every: minute)
        probes.add(.up, from: utc(2026, 11, 3, 8, 20), to: window.endMs + minute, every: minute)
        let result = evaluate(policy { $0.confirmation = Confirmation(failureThreshold: 2, successThreshold: 2) }, window: window, locations: [("a/api", probes)], intervalMs: minute)
        #expect(result.outages.map(\.range) == [TimeRange(startMs: utc(2026, 11, 3, 8), endMs: utc(2026, 11, 3, 8, 20))])
        #expect(result.downMs == 20 * minute)
        // With the default success_threshold 1 the same history is two outages: 10 min and 9 min.
        let loose = evaluate(policy(), window: window, locations: [("a/api", probes)], intervalMs: minute)
        #expect(loose.outageCount == 2 && loose.downMs == 19 * minute && loose.longestOutageMs == 10 * minute)
    }

    @Test("credit tiers at and just below each boundary")
    func creditTiers() {
        let tiers = [
            CreditTier(below: Percentage("99.9")!, credit: Percentage("10")!),
            CreditTier(below: Percentage("99")!, credit: Percentage("25")!),
            CreditTier(below: Percentage("95")!, credit: Percentage("100")!),
        ]
        func credit(_ good: Int64, _ total: Int64) -> String? {
            CreditTier.reached(in: tiers, good: good, total: total)?.credit.description
        }
        // At a boundary the tier above still holds; one part in a million below drops a tier.
        #expect(credit(999_000, 1_000_000) == nil)
        #expect(credit(998_999, 1_000_000) == "10%")
        #expect(credit(990_000, 1_000_000) == "10%")
        #expect(credit(989_999, 1_000_000) == "25%")
        #expect(credit(950_000, 1_000_000) == "25%")
        #expect(credit(949_999, 1_000_000) == "100%")
        #expect(credit(0, 1_000_000) == "100%")
        // In time: 43 min 12 s down in 30 days is exactly 99.9 % → no credit; one more millisecond → 10 %.
        #expect(credit(2_592_000_000 - 2_592_000, 2_592_000_000) == nil)
        #expect(credit(2_592_000_000 - 2_592_001, 2_592_000_000) == "10%")
    }

    @Test("percentages are exact")
    func percentages() {
        #expect(Percentage("99.9")?.ppm == 999_000)
        #expect(Percentage("99.95%")?.ppm == 999_500)
        #expect(Percentage("100")?.ppm == 1_000_000)
        #expect(Percentage("99.99999") == nil)
        #expect(Percentage("101") == nil)
        #expect(Percentage("abc") == nil)
        #expect(Percentage("99.9")!.description == "99.9%")
        #expect(Percentage("99.9")!.isGreaterThan(ratioOf: 998, to: 1_000))
        #expect(!Percentage("99.9")!.isGreaterThan(ratioOf: 999, to: 1_000))
    }

    @Test("latency percentiles and objective attainment from the histogram")
    func latency() {
        var histogram = LatencyHistogram()
        // 90 probes at 80 ms (bucket 75–100), 10 at 400 ms (bucket 300–400).
        for _ in 0..<90 { histogram.record(microseconds: 80_000) }
        for _ in 0..<10 { histogram.record(microseconds: 400_000) }
        // Threshold 250 ms is a bucket bound: exactly 90 % attained.
        #expect(histogram.countAtOrBelow(thresholdMs: 250) == 90)
        #expect(LatencyHistogram(encoded: histogram.encoded) == histogram)
        // p50 interpolates inside 75–100 ms: rank 50 of 90 → 75 + 25 × 50/90.
        #expect(abs(histogram.quantileMs(0.5)! - (75 + 25.0 * 50 / 90)) < 1e-9)
        #expect(histogram.quantileMs(0.99)! > 300 && histogram.quantileMs(0.99)! <= 400)
        let result = SLAEvaluator.latency(ProbeCounts(up: 100, latency: histogram), objective: LatencyObjective(thresholdMs: 250, target: Percentage("90")!))
        #expect(result.attainment == 0.9 && result.met == true)
        #expect(LatencyHistogram(encoded: [0x80]) == nil)
    }
}
