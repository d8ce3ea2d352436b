import Foundation

/// ISO 8601 timestamps as the JSON API and the CLI write and read them.
public enum ISOTime {
    /// `2026-11-22T10:00:00.000Z` for milliseconds since the epoch.
    public static func format(ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Milliseconds for `2026-11-22T10:00:00Z`, with optional fractional seconds and offset, or a bare date
    /// `2026-11-22` (midnight UTC); `nil` for anything else.
    public static func parse(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }
}
