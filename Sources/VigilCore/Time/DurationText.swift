/// Parses and prints durations the way operators write them in configs and on the command line:
/// `500ms`, `10s`, `5m`, `24h`, `30d`, `1w`, and sums such as `1h30m`.
public enum DurationText {
    /// Why a duration could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        public var description: String {
            "invalid duration \"\(text)\" (expected a number with a unit: ms, s, m, h, d or w, e.g. 10s, 1h30m)"
        }
    }

    private static let units: [(suffix: String, ms: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Milliseconds in `text`; throws ``ParseError`` for anything else, including negative or empty input.
    public static func parseMilliseconds(_ text: String) throws(ParseError) -> Int64 {
        let trimmed = text.trimmingSpaces()
        var rest = Substring(trimmed)
        var total: Int64 = 0
        guard !rest.isEmpty else { throw ParseError(text: text) }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let value = Double(digits) else { throw ParseError(text: text) }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { throw ParseError(text: text) }
            rest = rest.dropFirst(unitText.count)
            let ms = value * Double(unit.ms)
            guard ms.isFinite, ms < 1e15 else { throw ParseError(text: text) }
            total += Int64(ms.rounded())
        }
        return total
    }

    /// A short human form: `0s`, `850ms`, `1500ms`, `42s`, `3m20s`, `2h05m`, `3d04h`.
    public static func format(milliseconds ms: Int64) -> String {
        if ms < 1_000 { return ms <= 0 ? "0s" : "\(ms)ms" }
        let seconds = ms / 1_000
        if seconds < 60 { return ms % 1_000 == 0 ? "\(seconds)s" : "\(ms)ms" }
        if seconds < 3_600 { return "\(seconds / 60)m" + pad(seconds % 60) + "s" }
        if seconds < 86_400 { return "\(seconds / 3_600)h" + pad(seconds % 3_600 / 60) + "m" }
        return "\(seconds / 86_400)d" + pad(seconds % 86_400 / 3_600) + "h"
    }

    /// The exact form in the largest units, as an operator writes it: `30d`, `1h`, `1h30m`, `90s`, `1500ms`.
    public static func compact(milliseconds ms: Int64) -> String {
        guard ms > 0 else { return "0s" }
        var rest = ms
        var text = ""
        for (suffix, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where rest >= size {
            text += "\(rest / size)\(suffix)"
            rest %= size
        }
        return rest > 0 ? text + "\(rest)ms" : text
    }

    private static func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
