/// Combines the runs of several checks (locations) of one service into the service's own timeline.
public enum ServiceTimeline {
    /// A stretch of one service state.
    public struct Segment: Sendable, Hashable, Codable {
        /// The state over the stretch.
        public var status: CheckStatus
        /// The stretch.
        public var range: TimeRange

        public init(status: CheckStatus, range: TimeRange) {
            self.status = status
            self.range = range
        }
    }

    /// The service state over `window`, as consecutive segments that cover the window exactly.
    ///
    /// - Parameters:
    ///   - locations: each location's runs, sorted by start and non-overlapping (as stored).
    ///   - window: the span to cover.
    ///   - quorum: how location states combine.
    public static func combine(_ locations: [[StateInterval]], over window: TimeRange, quorum: Quorum = .majority) -> [Segment] {
        combine(segments: locations.map { $0.map { Segment(status: $0.status, range: $0.range) } }, over: window, quorum: quorum)
    }

    /// The service state over `window` from each location's segments (sorted, non-overlapping; time
    /// outside them is unknown), as consecutive segments that cover the window exactly.
    public static func combine(segments locations: [[Segment]], over window: TimeRange, quorum: Quorum = .majority) -> [Segment] {
        guard !window.isEmpty else { return [] }
        var boundaries: [Int64] = [window.startMs, window.endMs]
        for runs in locations {
            for run in runs where run.range.overlaps(window) {
                if run.range.startMs > window.startMs { boundaries.append(run.range.startMs) }
                if run.range.endMs < window.endMs { boundaries.append(run.range.endMs) }
            }
        }
        boundaries.sort()
        var cursors = Array(repeating: 0, count: locations.count)
        var segments: [Segment] = []
        var states = Array(repeating: CheckStatus.unknown, count: locations.count)
        var previous = boundaries[0]
        for boundary in boundaries.dropFirst() where boundary > previous {
            for (index, runs) in locations.enumerated() {
                var cursor = cursors[index]
                while cursor < runs.count && runs[cursor].range.endMs <= previous { cursor += 1 }
                cursors[index] = cursor
                if cursor < runs.count && runs[cursor].range.startMs <= previous {
                    states[index] = runs[cursor].status
                } else {
                    states[index] = .unknown
                }
            }
            let status = quorum.combine(states)
            if let last = segments.last, last.status == status, last.range.endMs == previous {
                segments[segments.count - 1].range.endMs = boundary
            } else {
                segments.append(Segment(status: status, range: TimeRange(startMs: previous, endMs: boundary)))
            }
            previous = boundary
        }
        return segments
    }
}
