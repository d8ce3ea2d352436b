import Foundation

/// Wall-clock time in the units the store uses.
enum WallClock {
    /// Milliseconds since the Unix epoch, now.
    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
