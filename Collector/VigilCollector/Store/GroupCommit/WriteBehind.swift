import Synchronization
import VigilCore

/// Facts committed batches changed that the SQLite store writes behind them, in bulk, instead of in
/// every batch's transaction (issue 20): each check's newest heartbeat (the `checks.last_*` columns)
/// and the minute rollup rows of every service.
///
/// A batch's raw body is stored in its own transaction, with a row in `deferred_batches` (the journal)
/// naming it, so nothing here is lost by a crash: opening the store replays the journal's batches into
/// what it had not written yet (``SQLiteStore/replayDeferred(_:)``). Reads add what is held here to what
/// they read (``SQLiteStore``'s `rollupCounts` and `fetchChecks`), so a batch is visible as soon as it is
/// acknowledged, exactly as before.
///
/// Only the store's writer changes it, and only with what a committed transaction did; readers take a
/// copy before they read the database.
final class WriteBehind: Sendable {
    /// When what is held is written.
    struct Settings: Sendable {
        /// A check's newest heartbeat is written once it has been held this long (ms). Default 300,000
        /// (five minutes): a check reporting every 30 s has its row written once for ten heartbeats.
        var latestAfterMs: Int64 = 300_000
        /// Everything held is written once the journal names this many batches, which bounds the work of
        /// a replay after a crash. Default 5,000.
        var maxJournalBatches: Int64 = 5_000
        /// At most this many checks' heartbeats are written by one transaction, so that no commit waits
        /// long for the rows of earlier ones. Default 5,000.
        var latestPerCommit: Int = 5_000

        /// Everything written by the transaction that changed it: the collector as it was before write-behind.
        static let immediate = Settings(latestAfterMs: 0, maxJournalBatches: 0, latestPerCommit: Int.max)
    }

    /// A check's newest heartbeat not written yet, and the journal position and time it was first held at.
    struct Latest: Sendable {
        var heartbeat: Heartbeat
        var sinceOrdinal: Int64
        var sinceMs: Int64
    }

    struct State: Sendable {
        /// Newest heartbeats held, by check id.
        var latest: [Int64: Latest] = [:]
        /// Checks in the order they were first held (an entry whose check was written and held again
        /// since is skipped).
        var queue: [(check: Int64, ordinal: Int64)] = []
        /// Entries of `queue` before this are gone.
        var queueHead = 0
        /// Minute rollup rows held (the batches' whole accumulators: only their minute rows are written,
        /// hours and days follow from them as from the ones ingest writes).
        var rollups = RollupAccumulator()
        /// The first journal position whose rollups are held; it moves each time they are written, so a
        /// reader that saw another value than the database's read both sides at different moments.
        var rollupsFrom: Int64 = 0
        /// The next journal position.
        var nextOrdinal: Int64 = 0
    }

    let settings: Settings
    private let state: Mutex<State>

    init(settings: Settings, state: State) {
        self.settings = settings
        self.state = Mutex(state)
    }

    /// A copy of what is held (cheap: the collections are shared until the writer next changes them).
    var snapshot: State { state.withLock { $0 } }

    /// The newest heartbeats held, for a reader: only that collection is shared with it, so the writer
    /// copies nothing else while the reader holds it.
    var latest: [Int64: Latest] { state.withLock { $0.latest } }

    /// The rollup rows held and the journal position they start at, for a reader.
    var rollups: (rows: RollupAccumulator, from: Int64) { state.withLock { ($0.rollups, $0.rollupsFrom) } }

    /// Changes the state (the writer only, after a commit).
    func update<T>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }
}

extension WriteBehind.State {
    /// Holds a check's newest heartbeat if it is at least as new as the one held (the rule of the
    /// `UPDATE` it replaces: the newer one wins, a tie goes to the later batch).
    mutating func hold(latest heartbeat: Heartbeat, check: Int64, ordinal: Int64, nowMs: Int64) {
        if let held = latest[check] {
            if held.heartbeat.timestampMs <= heartbeat.timestampMs { latest[check]!.heartbeat = heartbeat }
            return
        }
        latest[check] = .init(heartbeat: heartbeat, sinceOrdinal: ordinal, sinceMs: nowMs)
        queue.append((check, ordinal))
    }

    /// The checks whose heartbeats are due to be written: held since before `beforeMs` or at a journal
    /// position before `beforeOrdinal`, oldest first, at most `limit`.
    func due(beforeMs: Int64, beforeOrdinal: Int64, limit: Int) -> [Int64] {
        var checks: [Int64] = []
        for entry in queue[queueHead...] {
            guard checks.count < limit else { break }
            guard let held = latest[entry.check], held.sinceOrdinal == entry.ordinal else { continue }
            guard held.sinceMs < beforeMs || held.sinceOrdinal < beforeOrdinal else { break }
            checks.append(entry.check)
        }
        return checks
    }

    /// Forgets the heartbeats of `checks`, written by a committed transaction (the writer is the only
    /// one to change the state, so what it wrote is what is held).
    mutating func wrote(latest checks: some Sequence<Int64>) {
        for check in checks { latest[check] = nil }
        while queueHead < queue.count, latest[queue[queueHead].check]?.sinceOrdinal != queue[queueHead].ordinal {
            queueHead += 1
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 4_096 && queueHead > queue.count / 2 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    /// The first journal position a replay must start from for the heartbeats held.
    var latestFrom: Int64 {
        var position = nextOrdinal
        for entry in queue[queueHead...] {
            if let held = latest[entry.check], held.sinceOrdinal == entry.ordinal {
                position = entry.ordinal
                break
            }
        }
        return position
    }
}
