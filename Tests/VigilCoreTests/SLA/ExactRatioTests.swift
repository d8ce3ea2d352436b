import Testing
@testable import VigilCore

@Suite("Exact ratios")
struct ExactRatioTests {
    @Test("decimals read and print exactly")
    func decimals() {
        #expect(ExactRatio(decimal: "14.4") == ExactRatio(144, over: 10))
        #expect(ExactRatio(decimal: "-1.50") == ExactRatio(-3, over: 2))
        #expect(ExactRatio(decimal: "1e3") == nil && ExactRatio(decimal: ".5") == nil && ExactRatio(decimal: "1.") == nil)
        #expect(ExactRatio(2_592_000_000_000, over: 1_000_000_000).decimal(places: 12) == "2592")
        #expect(ExactRatio(1, over: 3).decimal(places: 4) == "0.3333")
        #expect(ExactRatio(2, over: 3).decimal(places: 4) == "0.6667")
        #expect(ExactRatio(-1, over: 8).decimal(places: 2) == "-0.13")
        #expect(ExactRatio(-1, over: 1_000).decimal(places: 2) == "0")
        #expect(ExactRatio(999, over: 1_000).decimal(places: 2) == "1")
    }

    @Test("arithmetic and comparison are exact where doubles are not")
    func arithmetic() {
        // 30 days at 99.9 %: 2 592 000 000 ms × 1 000 ppm / 10⁹ = 2 592 s; in doubles
        // 2 592 000 000 × (1 − 0.999) / 1 000 is 2592.0000000000023.
        let budget = ExactRatio(2_592_000_000 * 1_000, over: 1_000_000_000)
        #expect(budget == 2_592 && budget.double == 2_592)
        #expect((budget - 2_592) == .zero && (budget - 2_592).double == 0)
        // 14.4 at 99.99 %: 5 184 ms down of 3 600 000: 5 184 · 10⁶ / (3 600 000 · 100).
        let rate = ExactRatio(5_184 * 1_000_000, over: 3_600_000 * 100)
        #expect(rate == ExactRatio(decimal: "14.4")! && rate.double == 14.4)
        #expect(!(rate > ExactRatio(decimal: "14.4")!))
        #expect(ExactRatio(5_185 * 1_000_000, over: 3_600_000 * 100) > ExactRatio(decimal: "14.4")!)
        #expect(ExactRatio(1, over: 3) * 3 == 1 && ExactRatio(1, over: 3) + ExactRatio(2, over: 3) == 1)
        #expect(ExactRatio(1, over: 36_000).double == 1.0 / 36_000)
        #expect(ExactRatio(-1, over: 3_600).double == -1.0 / 3_600)
    }
}
