/// How many consecutive probe results change a location's state (DESIGN §5).
public struct Confirmation: Sendable, Hashable {
    /// Consecutive failures that make a location `down`. Default 2.
    public var failureThreshold: Int
    /// Consecutive successes (`up` or `degraded`) that make it `up` again. Default 1.
    public var successThreshold: Int

    public init(failureThreshold: Int = 2, successThreshold: Int = 1) {
        precondition(failureThreshold >= 1 && successThreshold >= 1, "thresholds must be at least 1")
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }
}

/// A failure streak too short to confirm: counted as up and reported (DESIGN §5).
public struct Blip: Sendable, Hashable {
    /// From the first failure to where the next result took over.
    public var range: TimeRange
    /// Failures in the streak.
    public var failures: Int64
    /// The first failure's message.
    public var message: String
}

/// A confirmed down stretch of one location.
public struct LocationDownSpan: Sendable, Hashable {
    /// Backdated to the first failure of the confirming streak; ends at the first success of the
    /// recovering streak (or where data stops).
    public var range: TimeRange
    /// When the failure threshold was reached: the moment an alert could fire.
    public var confirmedAtMs: Int64
    /// The first failure's message.
    public var message: String
}

/// One location's confirmed history: what the SLA counts for it.
public struct LocationTimeline: Sendable {
    /// Confirmed states, sorted and non-overlapping; time between segments is unknown.
    public var segments: [ServiceTimeline.Segment]
    /// Confirmed down stretches.
    public var downSpans: [LocationDownSpan]
    /// Unconfirmed failure streaks, counted as up.
    public var blips: [Blip]

    /// Applies the confirmation thresholds to a check's stored runs (sorted by start, non-overlapping).
    ///
    /// Runs that touch and are all successes (up/degraded) or all failures form a *streak*; a gap (no data)
    /// ends a streak and resets the location to "not down", so a stale agent never extends an outage.
    /// - A failure streak of at least `failureThreshold` heartbeats is down from its first failure.
    /// - A shorter failure streak is a blip and counts as up, unless the location is already down.
    /// - While down, a success streak shorter than `successThreshold` stays down; a long enough one ends
    ///   the outage at its first success.
    ///
    /// The confirmation instant inside a streak is its `failureThreshold`-th heartbeat, placed at the
    /// streak's mean heartbeat spacing (runs keep a count, not every timestamp).
    public init(runs: [StateInterval], confirmation: Confirmation, intervalMs: Int64) {
        var segments: [ServiceTimeline.Segment] = []
        var downSpans: [LocationDownSpan] = []
        var blips: [Blip] = []
        var isDown = false

        func emit(_ status: CheckStatus, _ range: TimeRange) {
            guard !range.isEmpty else { return }
            if let last = segments.last, last.status == status, last.range.endMs == range.startMs {
                segments[segments.count - 1].range.endMs = range.endMs
            } else {
                segments.append(ServiceTimeline.Segment(status: status, range: range))
            }
        }
        func extendDown(to endMs: Int64) {
            downSpans[downSpans.count - 1].range.endMs = endMs
        }

        var index = 0
        while index < runs.count {
            // Gather one streak: touching runs of the same class.
            let kind = StreakKind(runs[index].status)
            let failing = kind == .failure
            var last = index
            var beats = runs[index].beats
            while last + 1 < runs.count, runs[last + 1].startMs == runs[last].endMs,
                  kind != .unknown, StreakKind(runs[last + 1].status) == kind {
                last += 1
                beats += runs[last].beats
            }
            if index > 0 && runs[index].startMs != runs[index - 1].endMs { isDown = false }
            let streak = TimeRange(startMs: runs[index].startMs, endMs: runs[last].endMs)

            if kind == .unknown {
                isDown = false
                emit(.unknown, streak)
            } else if failing {
                if isDown {
                    emit(.down, streak)
                    extendDown(to: streak.endMs)
                } else if beats >= Int64(confirmation.failureThreshold) {
                    isDown = true
                    emit(.down, streak)
                    let lastBeat = runs[last].lastBeatMs
                    let spacing = beats > 1 ? (lastBeat - streak.startMs) / (beats - 1) : intervalMs
                    let confirmed = min(lastBeat, streak.startMs + Int64(confirmation.failureThreshold - 1) * spacing)
                    downSpans.append(LocationDownSpan(range: streak, confirmedAtMs: confirmed, message: runs[index].message))
                } else {
                    emit(.up, streak)
                    blips.append(Blip(range: streak, failures: beats, message: runs[index].message))
                }
            } else if isDown && beats < Int64(confirmation.successThreshold) {
                emit(.down, streak)
                extendDown(to: streak.endMs)
            } else {
                isDown = false
                for run in runs[index...last] { emit(run.status, run.range) }
            }
            // A streak ended by a gap resets the state.
            if last + 1 < runs.count && runs[last + 1].startMs != runs[last].endMs { isDown = false }
            index = last + 1
        }
        self.segments = segments
        self.downSpans = downSpans
        self.blips = blips
    }

    /// The same history as seen live: each down span starts at its confirmation instant instead of its
    /// first failure (the time before confirmation reads as up). Used for time to detect.
    public var liveSegments: [ServiceTimeline.Segment] {
        var pieces: [ServiceTimeline.Segment] = []
        var spans = downSpans.makeIterator()
        var span = spans.next()
        for segment in segments {
            guard segment.status == .down else {
                pieces.append(segment)
                continue
            }
            while let current = span, current.range.endMs <= segment.range.startMs { span = spans.next() }
            if let current = span, current.range.startMs == segment.range.startMs, current.confirmedAtMs > segment.range.startMs {
                let split = min(current.confirmedAtMs, segment.range.endMs)
                pieces.append(.init(status: .up, range: TimeRange(startMs: segment.range.startMs, endMs: split)))
                if split < segment.range.endMs {
                    pieces.append(.init(status: .down, range: TimeRange(startMs: split, endMs: segment.range.endMs)))
                }
            } else {
                pieces.append(segment)
            }
        }
        return pieces
    }
}

/// How a run counts towards a confirmation streak.
private enum StreakKind {
    case success, failure, unknown

    init(_ status: CheckStatus) {
        switch status {
        case .up, .degraded: self = .success
        case .down: self = .failure
        case .unknown: self = .unknown
        }
    }
}
