import Synchronization
import VigilCore

/// The newest stored state interval of each check (its tip), kept in memory by ingest so that folding
/// a batch does not read it back (issue 20).
///
/// Only the store's writer changes it, and only with what a committed transaction wrote; anything else
/// that rewrites intervals (a history import) empties it. A check it does not know is read from the
/// store once.
final class TipCache: Sendable {
    private let tips = Mutex<[Int64: StateInterval]>([:])

    /// The tip of a check, when known.
    func tip(_ checkID: Int64) -> StateInterval? {
        tips.withLock { $0[checkID] }
    }

    /// Records tips a committed transaction wrote.
    func apply(_ changes: [Int64: StateInterval]) {
        guard !changes.isEmpty else { return }
        tips.withLock { tips in
            for (check, tip) in changes { tips[check] = tip }
        }
    }

    /// Forgets every tip (the intervals were rewritten some other way).
    func removeAll() {
        tips.withLock { $0.removeAll() }
    }

    /// How many checks' tips are known.
    var count: Int { tips.withLock { $0.count } }

    /// Whether folding heartbeats from `firstMs` on into a check whose newest interval is `tip` can
    /// touch no other stored interval, so `[tip]` is all the fold needs: either they are all at or after
    /// its newest heartbeat (only the tip can change), or the tip started a stale limit or more before
    /// them (no older interval ends after `firstMs - staleAfterMs`; intervals do not overlap).
    static func foldNeedsOnlyTip(_ tip: StateInterval, firstMs: Int64, staleAfterMs: Int64) -> Bool {
        firstMs >= tip.lastBeatMs || tip.startMs <= firstMs - staleAfterMs
    }
}
