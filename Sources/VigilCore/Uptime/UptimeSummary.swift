/// Time-weighted availability over a window (DESIGN §5, the `time` method, unknown excluded).
public struct UptimeSummary: Sendable, Hashable {
    /// The span the figures cover (the requested window, cut at "now").
    public var window: TimeRange
    /// Available time (`up` and `degraded`), in milliseconds.
    public var upMs: Int64
    /// The part of ``upMs`` that was `degraded`.
    public var degradedMs: Int64
    /// Time down, in milliseconds.
    public var downMs: Int64
    /// Time with no data, in milliseconds.
    public var unknownMs: Int64

    public init(window: TimeRange, upMs: Int64, degradedMs: Int64, downMs: Int64, unknownMs: Int64) {
        self.window = window
        self.upMs = upMs
        self.degradedMs = degradedMs
        self.downMs = downMs
        self.unknownMs = unknownMs
    }

    /// Eligible time: the whole window (calendars and maintenance come with the SLA engine).
    public var eligibleMs: Int64 { window.durationMs }

    /// up / (up + down); `nil` when nothing is known.
    public var availability: Double? {
        let known = upMs + downMs
        return known > 0 ? Double(upMs) / Double(known) : nil
    }

    /// (up + down) / eligible; `nil` for an empty window.
    public var coverage: Double? {
        eligibleMs > 0 ? Double(upMs + downMs) / Double(eligibleMs) : nil
    }

    /// Adds up service segments over `window`; time not covered by any segment is unknown.
    public static func summarize(_ segments: [ServiceTimeline.Segment], over window: TimeRange) -> UptimeSummary {
        var up: Int64 = 0
        var degraded: Int64 = 0
        var down: Int64 = 0
        for segment in segments {
            let span = segment.range.clamped(to: window).durationMs
            switch segment.status {
            case .up: up += span
            case .degraded: up += span; degraded += span
            case .down: down += span
            case .unknown: break
            }
        }
        let unknown = window.durationMs - up - down
        return UptimeSummary(window: window, upMs: up, degradedMs: degraded, downMs: down, unknownMs: max(0, unknown))
    }
}
