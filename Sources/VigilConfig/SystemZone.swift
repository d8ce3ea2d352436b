#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore

/// A time zone from the system's tz database (`/usr/share/zoneinfo`), read through Foundation.
public struct SystemZone: ZoneRules {
    public let identifier: String
    private let zone: TimeZone

    /// The zone named `identifier` (`Europe/Berlin`, `America/New_York`, `UTC`); `nil` when unknown.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public func offsetSeconds(atUTCSeconds utcSeconds: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcSeconds))))
    }

    /// A zone by name for configs: UTC without the tz database, anything else through it.
    public static func named(_ identifier: String) -> (any ZoneRules)? {
        if identifier == "UTC" || identifier == "Etc/UTC" { return FixedOffsetZone.utc }
        return SystemZone(identifier: identifier)
    }
}
