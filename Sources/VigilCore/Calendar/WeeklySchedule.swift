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

extension WeeklyHours {
    /// Why weekly hours could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads `mon-fri 09:00-17:00`, `sat,sun 00:00-24:00` or `sun 02:00-04:00`.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw ParseError(description: "invalid weekly hours \"\(text)\" (expected DAYS HH:MM-HH:MM, e.g. mon-fri 09:00-17:00)")
        }
        let times = parts[1].split(separator: "-")
        guard times.count == 2 else { throw ParseError(description: "invalid hours \"\(parts[1])\" (expected HH:MM-HH:MM)") }
        try self.init(days: Weekday.parseSet(String(parts[0])), from: String(times[0]), to: String(times[1]))
    }

    /// Builds hours from day and clock texts, checking that the end is after the start.
    public init(days: Set<Weekday>, from: String, to: String) throws(ParseError) {
        let start = try Self.minutes(from)
        let end = try Self.minutes(to)
        guard start < 1_440, start < end else {
            throw ParseError(description: "hours \(from)-\(to) must end after they start, within one day (use 24:00 for midnight)")
        }
        self.init(days: days, fromMinute: start, toMinute: end)
    }

    /// Minutes after midnight of `HH:MM` (`24:00` allowed).
    public static func minutes(_ text: String) throws(ParseError) -> Int {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 1_440
        else { throw ParseError(description: "invalid time \"\(text)\" (expected HH:MM, e.g. 09:00)") }
        return h * 60 + m
    }
}

extension Weekday {
    /// Reads `mon-fri`, `sat,sun`, `mon,wed-fri` or `daily`.
    public static func parseSet(_ text: String) throws(WeeklyHours.ParseError) -> Set<Weekday> {
        if text == "daily" || text == "all" { return Set(allCases) }
        var days: Set<Weekday> = []
        for item in text.lowercased().split(separator: ",") {
            let ends = item.split(separator: "-")
            guard (1...2).contains(ends.count), let first = Weekday(rawValue: String(ends[0])),
                  let last = Weekday(rawValue: String(ends[ends.count - 1]))
            else {
                throw WeeklyHours.ParseError(description: "invalid days \"\(text)\" (use mon, tue, wed, thu, fri, sat, sun, ranges like mon-fri, or daily)")
            }
            var index = first.index
            while true {
                days.insert(allCases[index])
                if index == last.index { break }
                index = (index + 1) % 7
            }
        }
        return days
    }
}
