/// Folds heartbeats into ``StateInterval`` runs for one check.
///
/// The rules (DESIGN §5): a heartbeat's state holds until the next heartbeat, but never longer than
/// `staleAfterMs`; past that the time is unknown. Heartbeats normally arrive in order and only touch the
/// newest run (the *tip*). A heartbeat older than the tip's last heartbeat (an agent catching up, a retry
/// through another path) only fills time that is still unknown: what was already observed stays as it
/// was, so a late heartbeat can never rewrite a reported figure retroactively.
public enum IntervalTimeline {
    /// Applies one heartbeat to the runs around it.
    ///
    /// - Parameters:
    ///   - heartbeat: the time and status observed.
    ///   - neighbourhood: the check's runs, sorted by start, that overlap
    ///     `[timestampMs − staleAfterMs, timestampMs + staleAfterMs)`; include the tip when the heartbeat
    ///     is newer than everything stored.
    ///   - staleAfterMs: how long one heartbeat holds.
    /// - Returns: the runs that replace `neighbourhood` (same span, sorted, non-overlapping).
    public static func apply(
        timestampMs t: Int64,
        status: CheckStatus,
        message: String = "",
        to neighbourhood: [StateInterval],
        staleAfterMs: Int64
    ) -> [StateInterval] {
        precondition(staleAfterMs > 0, "staleAfterMs must be positive")
        var runs = neighbourhood
        guard let tip = runs.last, t < tip.lastBeatMs else {
            appendInOrder(t: t, status: status, message: message, runs: &runs, staleAfterMs: staleAfterMs)
            return runs
        }
        return fillUnknown(t: t, status: status, message: message, runs: runs, staleAfterMs: staleAfterMs)
    }

    /// The hot path: the heartbeat is at or after the newest heartbeat stored.
    private static func appendInOrder(
        t: Int64, status: CheckStatus, message: String, runs: inout [StateInterval], staleAfterMs: Int64
    ) {
        let fresh = StateInterval(status: status, startMs: t, endMs: t + staleAfterMs, lastBeatMs: t, message: message)
        guard var tip = runs.popLast() else {
            runs.append(fresh)
            return
        }
        if t == tip.lastBeatMs {
            // A second reading at the same instant: the first one stands.
            runs.append(tip)
        } else if tip.status == status && t <= tip.endMs {
            tip.lastBeatMs = t
            tip.beats += 1
            tip.endMs = max(tip.endMs, t + staleAfterMs)
            runs.append(tip)
        } else {
            tip.endMs = min(tip.endMs, t)
            runs.append(tip)
            runs.append(fresh)
        }
    }

    /// A late heartbeat: paint its status over the unknown gaps inside `[t, t + staleAfter)` only.
    private static func fillUnknown(
        t: Int64, status: CheckStatus, message: String, runs: [StateInterval], staleAfterMs: Int64
    ) -> [StateInterval] {
        let reach = TimeRange(startMs: t, endMs: t + staleAfterMs)
        var gaps: [TimeRange] = []
        var cursor = reach.startMs
        for run in runs where run.endMs > reach.startMs && run.startMs < reach.endMs {
            if run.startMs > cursor { gaps.append(TimeRange(startMs: cursor, endMs: run.startMs)) }
            cursor = max(cursor, run.endMs)
            if cursor >= reach.endMs { break }
        }
        if cursor < reach.endMs { gaps.append(TimeRange(startMs: cursor, endMs: reach.endMs)) }
        // Only the gap that starts at t is backed by the heartbeat itself; a state holds until the next
        // observation, so gaps after an observed run are not this heartbeat's to fill.
        guard let gap = gaps.first, gap.startMs == t else { return runs }
        var painted = runs
        painted.append(StateInterval(status: status, startMs: gap.startMs, endMs: gap.endMs, lastBeatMs: t, message: message))
        painted.sort { $0.startMs < $1.startMs }
        return mergeTouching(painted)
    }

    /// Joins neighbouring runs of the same status that touch.
    static func mergeTouching(_ runs: [StateInterval]) -> [StateInterval] {
        var merged: [StateInterval] = []
        merged.reserveCapacity(runs.count)
        for run in runs {
            if var last = merged.last, last.status == run.status, last.endMs == run.startMs {
                last.endMs = run.endMs
                last.lastBeatMs = max(last.lastBeatMs, run.lastBeatMs)
                last.beats += run.beats
                merged[merged.count - 1] = last
            } else {
                merged.append(run)
            }
        }
        return merged
    }
}
