import Synchronization
import VigilCore

/// Facts committed batches changed that the SQLite store writes behind them, in bulk, instead of in
/// every batch's transaction (issue 20): each check's newest heartbeat (the `checks.last_*` columns),
/// each check's tip interval while heartbeats only extend it, and the minute rollup rows of every
/// service.
///
/// A batch's raw body is stored in its own transaction, with a row in `deferred_batches` (the journal)
/// naming it, so nothing here is lost by a crash: opening the store replays the journal's batches into
/// what it had not written yet (``SQLiteStore/replayDeferred(_:)``). Reads add what is held here to what
/// they read (``SQLiteStore``'s `rollupCounts`, `fetchChecks` and interval reads), so a batch is visible
/// as soon as it is acknowledged, exactly as before.
///
/// Only the store's writer changes it, and only with what a committed transaction did; readers take a
/// copy of what they need before they read the database, so what they read is at least as new as the
/// copy.
///
/// A held tip itself is the one ``TipCache`` knows (the cache has every check's newest tip, held or
/// written): a held check only says its tip is not written yet, which keeps one copy of each tip in
/// memory instead of two (at 100,000 checks the copy cost about 20 MB).
final class WriteBehind: Sendable {
    /// When what is held is written.
    struct Settings: Sendable {
        /// A check's newest heartbeat and tip are written once they have been held this long (ms).
        /// Default 300,000 (five minutes): a check reporting every 30 s has its rows written once for ten
        /// heartbeats.
        var checksAfterMs: Int64 = 300_000
        /// Once the journal names more than this many batches, the rollups and the checks held since
        /// its first of them are written (``checksPerCommit`` a transaction); at twice as many,
        /// everything held is written at once. It bounds the work of a replay after a crash.
        /// Default 5,000.
        var maxJournalBatches: Int64 = 5_000
        /// At most this many checks' rows are written by one transaction, so that no commit waits long
        /// for the rows of earlier ones. Default 1,000.
        var checksPerCommit: Int = 1_000

        /// Everything written by the transaction that changed it: the collector as it was before write-behind.
        static let immediate = Settings(checksAfterMs: 0, maxJournalBatches: 0, checksPerCommit: Int.max)
    }

    /// What is held of one check, and the journal position and time it was first held at.
    struct Held: Sendable {
        /// Its newest heartbeat, not in its `checks` row yet.
        var heartbeat: Heartbeat?
        /// Whether its newest interval (in ``TipCache``) is longer than the stored row that starts at
        /// the same instant.
        var tipHeld = false
        var sinceOrdinal: Int64
        var sinceMs: Int64
    }

    struct State: Sendable {
        /// What is held, by check id.
        var checks: [Int64: Held] = [:]
        /// Checks in the order they were first held (an entry whose check was written and held again
        /// since is skipped).
        var queue: [(check: Int64, ordinal: Int64)] = []
        /// Entries of `queue` before this are gone.
        var queueHead = 0
        /// Minute rollup rows held.
        var rollups = RollupAccumulator()
        /// The first journal position whose rollups are held; it moves each time they are written, so a
        /// reader that saw another value than the database's read both sides at different moments.
        var rollupsFrom: Int64 = 0
        /// The next journal position.
        var nextOrdinal: Int64 = 0
    }

    let settings: Settings
    private let state: Mutex<State>
    /// Every check's newest tip; the store's writer applies what a transaction wrote or held to it
    /// before it applies the transaction to this state, so a check held here has its tip there.
    let tipCache: TipCache

    init(settings: Settings, state: State, tips: TipCache) {
        self.settings = settings
        self.state = Mutex(state)
        self.tipCache = tips
    }

    /// A copy of what is held (cheap: the collections are shared until the writer next changes them,
    /// which then duplicates them; only the writer itself, and tests, may keep one).
    var snapshot: State { state.withLock { $0 } }

    /// The newest heartbeat held of each of `ids`, in their order (an array, not a dictionary: a read of
    /// all 100,000 checks would otherwise build a hash table of 20 MB); empty when nothing is held.
    func heartbeats(of ids: some Collection<Int64>) -> [Heartbeat?] {
        state.withLock { state in
            guard !state.checks.isEmpty else { return [] }
            return ids.map { state.checks[$0]?.heartbeat }
        }
    }

    /// The tips held of `ids`.
    func tips(of ids: some Sequence<Int64>) -> [Int64: StateInterval] {
        let held: [Int64] = state.withLock { state in
            guard !state.checks.isEmpty else { return [] }
            return ids.filter { state.checks[$0]?.tipHeld ?? false }
        }
        var tips: [Int64: StateInterval] = [:]
        for id in held { if let tip = tipCache.tip(id) { tips[id] = tip } }
        return tips
    }

    /// The rollup rows held of `services` and the journal position they start at, for a reader (copied:
    /// sharing the whole accumulator would make the writer duplicate it while the reader holds it).
    func rollups(of services: Set<String>) -> (rows: RollupAccumulator, from: Int64) {
        state.withLock { state in
            var rows = RollupAccumulator()
            rows.add(state.rollups, only: services)
            return (rows, state.rollupsFrom)
        }
    }

    /// Answers a question of the state under its lock, without copying it (a copy alive while the
    /// writer changes the state makes the writer duplicate all of it).
    func inspect<T>(_ body: (State) -> T) -> T {
        state.withLock { body($0) }
    }

    /// Changes the state (the writer only, after a commit).
    func update<T>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }
}

extension WriteBehind.State {
    private mutating func entry(_ check: Int64, ordinal: Int64, nowMs: Int64) {
        guard checks[check] == nil else { return }
        checks[check] = .init(sinceOrdinal: ordinal, sinceMs: nowMs)
        queue.append((check, ordinal))
    }

    /// Holds a check's newest heartbeat if it is at least as new as the one held (the rule of the
    /// `UPDATE` it replaces: the newer one wins, a tie goes to the later batch).
    mutating func hold(latest heartbeat: Heartbeat, check: Int64, ordinal: Int64, nowMs: Int64) {
        entry(check, ordinal: ordinal, nowMs: nowMs)
        if checks[check]!.heartbeat.map({ $0.timestampMs <= heartbeat.timestampMs }) ?? true { checks[check]!.heartbeat = heartbeat }
    }

    /// Holds a check's tip, which ``TipCache`` has (it only ever grows while held: a change of another
    /// kind is written at once).
    mutating func holdTip(check: Int64, ordinal: Int64, nowMs: Int64) {
        entry(check, ordinal: ordinal, nowMs: nowMs)
        checks[check]!.tipHeld = true
    }

    /// A transaction wrote the check's tip itself.
    mutating func wroteTip(_ check: Int64) {
        checks[check]?.tipHeld = false
    }

    /// The checks whose rows are due to be written: held since before `beforeMs` or at a journal
    /// position before `beforeOrdinal`, oldest first, at most `limit`.
    func due(beforeMs: Int64, beforeOrdinal: Int64, limit: Int) -> [Int64] {
        var due: [Int64] = []
        for entry in queue[queueHead...] {
            guard due.count < limit else { break }
            guard let held = checks[entry.check], held.sinceOrdinal == entry.ordinal else { continue }
            guard held.sinceMs < beforeMs || held.sinceOrdinal < beforeOrdinal else { break }
            due.append(entry.check)
        }
        return due
    }

    /// Forgets what is held of `written`, whose rows a committed transaction wrote (the writer is the
    /// only one to change the state, so what it wrote is what is held).
    mutating func wrote(_ written: some Sequence<Int64>) {
        for check in written { checks[check] = nil }
        while queueHead < queue.count, checks[queue[queueHead].check]?.sinceOrdinal != queue[queueHead].ordinal {
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

    /// The first journal position a replay must start from for what is held of checks.
    var checksFrom: Int64 { checksFrom(excluding: []) }

    /// The same once `excluded` are written.
    func checksFrom(excluding excluded: Set<Int64>) -> Int64 {
        for entry in queue[queueHead...] where !excluded.contains(entry.check) && checks[entry.check]?.sinceOrdinal == entry.ordinal {
            return entry.ordinal
        }
        return nextOrdinal
    }
}
