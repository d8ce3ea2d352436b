/// Local hours on some days of the week, such as `mon-fri 09:00-17:00`.
public struct WeeklyHours: Sendable, Hashable, CustomStringConvertible {
    /// The days the hours apply to.
    public var days: Set<Weekday>
    /// Start, in minutes after local midnight (0–1439).
    public var fromMinute: Int
    /// End, in minutes after local midnight (1–1440; 1440 is the end of the day). Must be after the start.
    public var toMinute: Int

    public init(days: Set<Weekday>, fromMinute: Int, toMinute: Int) {
        precondition(fromMinute >= 0 && toMinute <= 1_440 && fromMinute < toMinute, "invalid weekly hours")
        self.days = days
        self.fromMinute = fromMinute
        self.toMinute = toMinute
    }

    /// The whole of every day.
    public static let allDay = WeeklyHours(days: Set(Weekday.allCases), fromMinute: 0, toMinute: 1_440)

    public var description: String {
        let names = days.sorted().map(\.rawValue).joined(separator: ",")
        return "\(names) \(Self.clock(fromMinute))-\(Self.clock(toMinute))"
    }

    /// `HH:MM` for minutes after midnight.
    public static func clock(_ minutes: Int) -> String {
        let h = minutes / 60
        let m = minutes % 60
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }
}

/// Weekly local hours in a time zone, minus whole-day exceptions: the shape of business hours and of
/// recurring maintenance windows.
public struct WeeklySchedule: Sendable {
    /// The zone the hours are read in.
    public var zone: any ZoneRules
    /// The hours; several entries may cover the same day.
    public var hours: [WeeklyHours]
    /// Local dates on which none of the hours apply (holidays).
    public var exceptions: Set<CivilDate>

    public init(zone: any ZoneRules, hours: [WeeklyHours], exceptions: Set<CivilDate> = []) {
        self.zone = zone
        self.hours = hours
        self.exceptions = exceptions
    }

    /// The UTC stretches of the schedule inside `window`, sorted and merged.
    ///
    /// Each local day's hours are turned into UTC through the zone, so a DST change moves them with the
    /// wall clock (DESIGN §6).
    public func segments(in window: TimeRange) -> [TimeRange] {
        guard !window.isEmpty else { return [] }
        let first = zone.localDate(atUTCMs: window.startMs).adding(days: -1)
        let last = zone.localDate(atUTCMs: window.endMs - 1).adding(days: 1)
        var ranges: [TimeRange] = []
        var day = first.daysSinceEpoch
        while day <= last.daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: day)
            if !exceptions.contains(date) {
                let weekday = date.weekday
                for entry in hours where entry.days.contains(weekday) {
                    let start = zone.utcMs(localSeconds: day * 86_400 + Int64(entry.fromMinute) * 60)
                    let end = zone.utcMs(localSeconds: day * 86_400 + Int64(entry.toMinute) * 60)
                    let piece = TimeRange(startMs: start, endMs: end).clamped(to: window)
                    if !piece.isEmpty { ranges.append(piece) }
                }
            }
            day += 1
        }
        return RangeSet.normalized(ranges)
    }
}

/// When a service is expected to be available: around the clock, or business hours (DESIGN §5).
public struct BusinessCalendar: Sendable {
    /// The calendar's name in the config (`24x7` for the built-in one).
    public var name: String
    /// The hours; `nil` means around the clock.
    public var schedule: WeeklySchedule?

    public init(name: String, schedule: WeeklySchedule?) {
        self.name = name
        self.schedule = schedule
    }

    /// Around the clock, every day.
    public static let alwaysOpen = BusinessCalendar(name: "24x7", schedule: nil)

    /// The calendar's time inside `window` (UTC stretches, sorted and merged).
    public func segments(in window: TimeRange) -> [TimeRange] {
        guard let schedule else { return window.isEmpty ? [] : [window] }
        return schedule.segments(in: window)
    }
}
