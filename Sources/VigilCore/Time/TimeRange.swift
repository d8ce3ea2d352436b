/// A half-open span of time `[startMs, endMs)` in milliseconds since the Unix epoch.
public struct TimeRange: Sendable, Hashable, Codable {
    /// Inclusive start.
    public var startMs: Int64
    /// Exclusive end.
    public var endMs: Int64

    public init(startMs: Int64, endMs: Int64) {
        self.startMs = startMs
        self.endMs = endMs
    }

    /// Length in milliseconds, never negative.
    public var durationMs: Int64 { max(0, endMs - startMs) }

    /// Whether the range holds no time.
    public var isEmpty: Bool { endMs <= startMs }

    /// The overlap of two ranges (empty when they do not meet).
    public func clamped(to other: TimeRange) -> TimeRange {
        let start = max(startMs, other.startMs)
        let end = min(endMs, other.endMs)
        return TimeRange(startMs: start, endMs: max(start, end))
    }

    /// Whether the two ranges share any time.
    public func overlaps(_ other: TimeRange) -> Bool {
        startMs < other.endMs && other.startMs < endMs
    }
}
