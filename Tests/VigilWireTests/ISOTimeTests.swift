import Foundation
import Testing
import VigilWire

@Suite("ISO 8601 times")
struct ISOTimeTests {
    @Test("format and parse agree with Foundation's formatter over many instants")
    func againstFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var state: UInt64 = 7
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let ms = Int64(state >> 22) % 4_102_444_800_000 - 2_000_000_000 // ~1906 … 2100
            let ours = ISOTime.format(ms: ms)
            #expect(ours == formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000)), "\(ms)")
            #expect(ISOTime.parse(ours) == ms)
        }
    }

    @Test("offsets, fractions and dates", arguments: [
        ("2026-11-22T10:00:00Z", Int64(1_795_341_600_000)),
        ("2026-11-22T11:00:00+01:00", 1_795_341_600_000),
        ("2026-11-22T05:00:00-0500", 1_795_341_600_000),
        ("2026-11-22 10:00:00.5Z", 1_795_341_600_500),
        ("2026-11-22T10:00:00.123456Z", 1_795_341_600_123),
        ("2026-11-22", 1_795_305_600_000),
    ])
    func parses(text: String, ms: Int64) {
        #expect(ISOTime.parse(text) == ms)
    }

    @Test("nonsense is refused", arguments: ["", "yesterday", "2026-02-30", "2026-13-01T00:00:00Z", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00:00Zjunk", "2026-11-22T10:00:00."])
    func refuses(text: String) {
        #expect(ISOTime.parse(text) == nil)
    }
}
