/// The UTC offsets of a time zone: the one thing Vigil needs from the tz database.
///
/// VigilCore stays free of I/O, so the rules come from outside (VigilConfig reads them through Foundation's
/// `TimeZone`); ``FixedOffsetZone`` covers UTC and fixed offsets.
public protocol ZoneRules: Sendable {
    /// The zone's name, e.g. `America/New_York` or `UTC`.
    var identifier: String { get }
    /// Seconds to add to UTC to get local time at the instant `utcSeconds`.
    func offsetSeconds(atUTCSeconds utcSeconds: Int64) -> Int64
}

/// A zone whose offset never changes, such as UTC.
public struct FixedOffsetZone: ZoneRules, Hashable {
    public let identifier: String
    /// Seconds east of UTC.
    public let offsetSeconds: Int64

    public init(identifier: String = "UTC", offsetSeconds: Int64 = 0) {
        self.identifier = identifier
        self.offsetSeconds = offsetSeconds
    }

    public func offsetSeconds(atUTCSeconds utcSeconds: Int64) -> Int64 { offsetSeconds }

    /// Coordinated Universal Time.
    public static let utc = FixedOffsetZone()
}

extension ZoneRules {
    /// The UTC instant (ms) of a local wall-clock time given as seconds since local 1970-01-01 00:00.
    ///
    /// DESIGN §6: a local time skipped by a DST change moves forward by the size of the gap (02:30 on a
    /// spring-forward night in New York is 03:30 EDT); a local time that happens twice takes the first
    /// reading (01:30 on a fall-back night is 01:30 EDT).
    public func utcMs(localSeconds local: Int64) -> Int64 {
        let before = offsetSeconds(atUTCSeconds: local - 86_400)
        let first = local - before
        let firstOffset = offsetSeconds(atUTCSeconds: first)
        if firstOffset == before { return first * 1_000 }
        let second = local - firstOffset
        if offsetSeconds(atUTCSeconds: second) == firstOffset { return second * 1_000 }
        // Skipped: `first` read the time with the old offset, which lands after the gap.
        return first * 1_000
    }

    /// The UTC instant (ms) of local midnight starting `date`.
    public func utcMs(startOf date: CivilDate) -> Int64 {
        utcMs(localSeconds: date.daysSinceEpoch * 86_400)
    }

    /// Local wall-clock seconds (since local 1970-01-01 00:00) at the UTC instant `ms`.
    public func localSeconds(atUTCMs ms: Int64) -> Int64 {
        let seconds = ms.floorDiv(1_000)
        return seconds + offsetSeconds(atUTCSeconds: seconds)
    }

    /// The local date at the UTC instant `ms`.
    public func localDate(atUTCMs ms: Int64) -> CivilDate {
        CivilDate(daysSinceEpoch: localSeconds(atUTCMs: ms).floorDiv(86_400))
    }
}
