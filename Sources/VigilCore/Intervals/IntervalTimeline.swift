/// Folds heartbeats into ``StateInterval`` runs for one check.
///
/// The rules (DESIGN §5, issue 18): a heartbeat's state holds until the next heartbeat, but never longer
/// than `staleAfterMs`; past that the time is unknown. Heartbeats normally arrive in order and only touch
/// the newest run (the *tip*).
///
/// A heartbeat older than the tip's last heartbeat (a spool replayed late, a batch retried after a later
/// one, a client over the JSON protocol) is placed where it would have been had it arrived in order: it
/// ends the *hold* of the heartbeat before it (the inferred time after a run's last heartbeat) and holds
/// itself until the next heartbeat, capped at `staleAfterMs`. What a run's own heartbeats span,
/// `[startMs, lastBeatMs]`, is observed and never rewritten: a late heartbeat inside it only counts
/// towards it when it agrees, and is dropped when it does not.
///
/// So that a missing heartbeat can still be placed exactly when it comes, a run is not extended across a
/// gap longer than one and a half probe intervals (`intervalMs`): the heartbeat after such a gap starts a
/// new run that touches the old one. Touching runs of one status read as one state everywhere (the
/// confirmation streaks and the service timeline join them), so this changes how rows are split, never
/// a figure.
public enum IntervalTimeline {
    /// Applies one heartbeat to the runs around it.
    ///
    /// - Parameters:
    ///   - heartbeat: the time and status observed.
    ///   - neighbourhood: the check's runs, sorted by start, that end after `timestampMs − staleAfterMs`;
    ///     include the tip when the heartbeat is newer than everything stored.
    ///   - staleAfterMs: how long one heartbeat holds.
    ///   - intervalMs: the check's probe interval; a run is not extended across a gap longer than 1.5 ×
    ///     this. `nil` extends a run across any gap up to `staleAfterMs`.
    /// - Returns: the runs that replace `neighbourhood` (same span, sorted, non-overlapping).
    public static func apply(
        timestampMs t: Int64,
        status: CheckStatus,
        message: String = "",
        to neighbourhood: [StateInterval],
        staleAfterMs: Int64,
        intervalMs: Int64? = nil
    ) -> [StateInterval] {
        var runs = neighbourhood
        apply(timestampMs: t, status: status, message: message, to: &runs, staleAfterMs: staleAfterMs, intervalMs: intervalMs)
        return runs
    }

    /// Applies one heartbeat to `runs` in place (see the other ``apply(timestampMs:status:message:to:staleAfterMs:intervalMs:)``):
    /// folding a batch this way copies no array per heartbeat.
    public static func apply(
        timestampMs t: Int64,
        status: CheckStatus,
        message: String = "",
        to runs: inout [StateInterval],
        staleAfterMs: Int64,
        intervalMs: Int64? = nil
    ) {
        precondition(staleAfterMs > 0, "staleAfterMs must be positive")
        let bridge = longestBridgedGap(intervalMs: intervalMs)
        guard let tip = runs.last, t < tip.lastBeatMs else {
            appendInOrder(t: t, status: status, message: message, runs: &runs, staleAfterMs: staleAfterMs, bridge: bridge)
            return
        }
        placeLate(t: t, status: status, message: message, runs: &runs, staleAfterMs: staleAfterMs, bridge: bridge)
    }

    /// The longest gap between two heartbeats that one run spans: 1.5 probe intervals.
    static func longestBridgedGap(intervalMs: Int64?) -> Int64 {
        guard let intervalMs, intervalMs > 0 else { return Int64.max }
        return intervalMs + intervalMs / 2
    }

    /// The hot path: the heartbeat is at or after the newest heartbeat stored.
    private static func appendInOrder(
        t: Int64, status: CheckStatus, message: String, runs: inout [StateInterval], staleAfterMs: Int64, bridge: Int64
    ) {
        let fresh = StateInterval(status: status, startMs: t, endMs: t + staleAfterMs, lastBeatMs: t, message: message)
        guard var tip = runs.popLast() else {
            runs.append(fresh)
            return
        }
        if t == tip.lastBeatMs {
            // A second reading at the same instant: the first one stands.
            runs.append(tip)
        } else if tip.status == status && t <= tip.endMs && t - tip.lastBeatMs <= bridge {
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

    /// A late heartbeat: it ends the hold of the run before it and holds until the next run starts.
    private static func placeLate(
        t: Int64, status: CheckStatus, message: String, runs: inout [StateInterval], staleAfterMs: Int64, bridge: Int64
    ) {
        // Runs are sorted and do not overlap: the run before `t` is the last one starting at or before it.
        var low = 0
        var high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].startMs <= t { low = mid + 1 } else { high = mid }
        }
        let next = low
        let nextStartMs = next < runs.count ? runs[next].startMs : Int64.max
        let holdEndMs = min(t + staleAfterMs, nextStartMs)
        if next > 0 {
            var previous = runs[next - 1]
            if t == previous.startMs || t == previous.lastBeatMs { return }
            if t < previous.lastBeatMs {
                // Inside what the run's own heartbeats span: observed, never rewritten.
                if previous.status == status {
                    previous.beats += 1
                    runs[next - 1] = previous
                }
                return
            }
            if t <= previous.endMs {
                if previous.status == status && t - previous.lastBeatMs <= bridge {
                    previous.lastBeatMs = t
                    previous.beats += 1
                    previous.endMs = max(previous.endMs, holdEndMs)
                    runs[next - 1] = previous
                    return
                }
                // The previous heartbeat held until this one.
                runs[next - 1].endMs = t
            }
        }
        runs.insert(StateInterval(status: status, startMs: t, endMs: holdEndMs, lastBeatMs: t, message: message), at: next)
    }

    /// Joins neighbouring runs of the same status that touch: the state the runs describe, one row per
    /// change (what in-order delivery stores, and what reports list).
    public static func joined(_ runs: [StateInterval]) -> [StateInterval] {
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
