import Testing
import VigilCore

@Suite("Durations")
struct DurationTextTests {
    @Test("parses operator units", arguments: [
        ("500ms", Int64(500)), ("10s", 10_000), ("5m", 300_000), ("24h", 86_400_000), ("30d", 2_592_000_000),
        ("1h30m", 5_400_000), ("1.5s", 1_500), ("1w", 604_800_000),
    ])
    func parses(text: String, ms: Int64) throws {
        #expect(try DurationText.parseMilliseconds(text) == ms)
    }

    @Test("rejects nonsense", arguments: ["", "10", "s", "10x", "-5s", "ten seconds"])
    func rejects(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.parseMilliseconds(text) }
    }

    @Test("formats short")
    func formats() {
        #expect(DurationText.format(milliseconds: 42_000) == "42s")
        #expect(DurationText.format(milliseconds: 1_500) == "1500ms")
        #expect(DurationText.format(milliseconds: 200_000) == "3m20s")
        #expect(DurationText.format(milliseconds: 7_500_000) == "2h05m")
    }

    @Test("compact forms are exact", arguments: [(Int64(3_600_000), "1h"), (2_592_000_000, "30d"), (5_400_000, "1h30m"), (1_500, "1s500ms"), (0, "0s")])
    func compact(ms: Int64, text: String) {
        #expect(DurationText.compact(milliseconds: ms) == text)
    }
}
