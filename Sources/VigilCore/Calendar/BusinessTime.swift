/// Business-time arithmetic on a calendar with some stretches taken out (paused clocks), DESIGN §6.
public struct BusinessTime: Sendable {
    /// The calendar whose time counts.
    public var calendar: BusinessCalendar
    /// How far ahead ``instant(after:adding:excluding:)`` looks before giving up. Default 3 years.
    public var horizonMs: Int64 = 3 * 366 * 86_400_000

    public init(calendar: BusinessCalendar) {
        self.calendar = calendar
    }

    /// Calendar time in `[from, to)` outside `excluded` (normalized).
    public func elapsed(from: Int64, to: Int64, excluding excluded: [TimeRange] = []) -> Int64 {
        guard to > from else { return 0 }
        return RangeSet.total(RangeSet.subtracting(calendar.segments(in: TimeRange(startMs: from, endMs: to)), excluded))
    }

    /// The instant at which `amount` ms of calendar time outside `excluded` have passed since `start`;
    /// `nil` when that is beyond the horizon (a calendar with no hours).
    public func instant(after start: Int64, adding amount: Int64, excluding excluded: [TimeRange] = []) -> Int64? {
        var remaining = amount
        if remaining <= 0 { return start }
        let chunk: Int64 = 14 * 86_400_000
        var cursor = start
        while cursor < start + horizonMs {
            let span = TimeRange(startMs: cursor, endMs: cursor + chunk)
            for segment in RangeSet.subtracting(calendar.segments(in: span), excluded) {
                if remaining <= segment.durationMs { return segment.startMs + remaining }
                remaining -= segment.durationMs
            }
            cursor = span.endMs
        }
        return nil
    }
}
