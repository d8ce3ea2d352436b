import VigilCore

/// ISO 8601 timestamps as the JSON API and the CLI write and read them.
///
/// Written by hand rather than with `ISO8601DateFormatter`: imports parse millions of them, and a
/// formatter per call cost more than everything else in a 100,000-ticket import.
public enum ISOTime {
    /// `2026-11-22T10:00:00.000Z` for milliseconds since the epoch.
    public static func format(ms: Int64) -> String {
        let days = ms.floorDivided(by: 86_400_000)
        let rest = ms - days * 86_400_000
        let date = CivilDate(daysSinceEpoch: days)
        var text = date.description
        text += "T" + two(rest / 3_600_000) + ":" + two(rest / 60_000 % 60) + ":" + two(rest / 1_000 % 60)
        let millis = rest % 1_000
        text += "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + String(millis) + "Z"
        return text
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Milliseconds for `2026-11-22T10:00:00Z`, with optional fractional seconds (`.5`, `.123456`) and an
    /// offset (`+01:00`, `-0500`, `Z`), a space instead of `T`, or a bare date `2026-11-22` (midnight
    /// UTC); `nil` for anything else, including impossible dates and times.
    public static func parse(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)[...]
        func number(_ count: Int) -> Int64? {
            guard bytes.count >= count else { return nil }
            var value: Int64 = 0
            for byte in bytes.prefix(count) {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            bytes = bytes.dropFirst(count)
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard bytes.first == character else { return false }
            bytes = bytes.dropFirst()
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")), let day = number(2),
              (1...12).contains(month), day >= 1, day <= Int64(CivilDate.daysInMonth(year: Int(year), month: Int(month)))
        else { return nil }
        let days = CivilDate(year: Int(year), month: Int(month), day: Int(day)).daysSinceEpoch
        if bytes.isEmpty { return days * 86_400_000 }
        guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || expect(UInt8(ascii: " ")),
              let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")), let second = number(2),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var millis: Int64 = 0
        if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
            var digits = 0
            var scale: Int64 = 100
            while let byte = bytes.first, byte >= 48 && byte <= 57 {
                millis += Int64(byte - 48) * scale
                scale /= 10
                digits += 1
                bytes = bytes.dropFirst()
            }
            guard digits > 0 else { return nil }
        }
        var offset: Int64 = 0
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
            guard let hours = number(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 60 + minutes) * 60_000 * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard bytes.isEmpty else { return nil }
        return days * 86_400_000 + (hour * 3_600 + minute * 60 + min(second, 59)) * 1_000 + millis - offset
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
