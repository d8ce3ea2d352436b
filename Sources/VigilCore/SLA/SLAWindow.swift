/// A report window as an operator asks for it (`--month 2026-10`, `--quarter 2026-Q4`, `--window 30d`).
public enum SLAWindow: Sendable, Hashable {
    /// A calendar month in the SLA's time zone.
    case month(year: Int, month: Int)
    /// A calendar quarter (1–4).
    case quarter(year: Int, quarter: Int)
    /// A calendar year.
    case year(Int)
    /// The last `ms` milliseconds up to now.
    case rolling(ms: Int64)
    /// An explicit UTC span.
    case range(TimeRange)

    /// Why a window could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads `2026-10` as a month.
    public static func parseMonth(_ text: String) throws(ParseError) -> SLAWindow {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else {
            throw ParseError(description: "invalid month \"\(text)\" (expected YYYY-MM, e.g. 2026-10)")
        }
        return .month(year: y, month: m)
    }

    /// Reads `2026-Q4` as a quarter.
    public static func parseQuarter(_ text: String) throws(ParseError) -> SLAWindow {
        let parts = text.uppercased().split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), parts[1].hasPrefix("Q"),
              let q = Int(parts[1].dropFirst()), (1...4).contains(q)
        else { throw ParseError(description: "invalid quarter \"\(text)\" (expected YYYY-Qn, e.g. 2026-Q4)") }
        return .quarter(year: y, quarter: q)
    }

    /// Reads `2026` as a year.
    public static func parseYear(_ text: String) throws(ParseError) -> SLAWindow {
        guard text.count == 4, let y = Int(text) else {
            throw ParseError(description: "invalid year \"\(text)\" (expected YYYY, e.g. 2026)")
        }
        return .year(y)
    }

    /// The window that holds `nowMs` for a period: this month, this quarter, this year, or the last N days.
    public static func current(_ period: SLAPeriod, zone: any ZoneRules, nowMs: Int64) -> SLAWindow {
        let today = zone.localDate(atUTCMs: nowMs)
        switch period {
        case .month: return .month(year: today.year, month: today.month)
        case .quarter: return .quarter(year: today.year, quarter: (today.month - 1) / 3 + 1)
        case .year: return .year(today.year)
        case .rolling(let ms): return .rolling(ms: ms)
        }
    }

    /// The UTC span `[from, to)`; calendar windows start and end at local midnight in `zone`.
    public func resolve(zone: any ZoneRules, nowMs: Int64) -> TimeRange {
        switch self {
        case .month(let y, let m):
            let first = CivilDate(year: y, month: m, day: 1)
            return TimeRange(startMs: zone.utcMs(startOf: first), endMs: zone.utcMs(startOf: first.firstOfMonth(adding: 1)))
        case .quarter(let y, let q):
            let first = CivilDate(year: y, month: (q - 1) * 3 + 1, day: 1)
            return TimeRange(startMs: zone.utcMs(startOf: first), endMs: zone.utcMs(startOf: first.firstOfMonth(adding: 3)))
        case .year(let y):
            return TimeRange(
                startMs: zone.utcMs(startOf: CivilDate(year: y, month: 1, day: 1)),
                endMs: zone.utcMs(startOf: CivilDate(year: y + 1, month: 1, day: 1))
            )
        case .rolling(let ms):
            return TimeRange(startMs: nowMs - ms, endMs: nowMs)
        case .range(let range):
            return range
        }
    }

    /// A short label: `2026-10`, `2026-Q4`, `2026`, `last 30d`, or `from/to`.
    public var label: String {
        switch self {
        case .month(let y, let m): return "\(y)-" + (m < 10 ? "0\(m)" : "\(m)")
        case .quarter(let y, let q): return "\(y)-Q\(q)"
        case .year(let y): return "\(y)"
        case .rolling(let ms): return "last \(DurationText.compact(milliseconds: ms))"
        case .range: return "custom"
        }
    }
}
