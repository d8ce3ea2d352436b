import Foundation
import GRDB
import VigilCore
import VigilWire

/// Writing behind the batches (``WriteBehind``): what a transaction holds, what it writes, and the
/// replay that opening the store does after a crash.
extension SQLiteStore {
    /// What one ingest transaction adds to what is held.
    struct Holds {
        /// The newest heartbeat of each check, with the journal position of its first batch here.
        var latest: [Int64: (heartbeat: Heartbeat, ordinal: Int64)] = [:]
        /// Tips that only grew, with the journal position of the batch that first grew them here.
        var tips: [Int64: (interval: StateInterval, ordinal: Int64)] = [:]
        /// Checks whose tips this transaction wrote (held ones are then stale).
        var tipsWritten: Set<Int64> = []
        var rollups = RollupAccumulator()
        /// Batches journaled.
        var batches: Int64 = 0
        /// A batch defined checks: a replay maps a batch's checks with the definitions stored when it
        /// runs, so nothing held may cross a change of them.
        var definitions = false

        mutating func hold(latest heartbeat: Heartbeat, check: Int64, ordinal: Int64) {
            if let held = latest[check] {
                if held.heartbeat.timestampMs <= heartbeat.timestampMs { latest[check]!.heartbeat = heartbeat }
            } else {
                latest[check] = (heartbeat, ordinal)
            }
        }

        mutating func hold(tip: StateInterval, check: Int64, ordinal: Int64) {
            tips[check] = (tip, tips[check]?.ordinal ?? ordinal)
        }

        /// Adds a later batch's holds.
        mutating func add(_ other: Holds) {
            for check in other.tipsWritten {
                tips[check] = nil
                tipsWritten.insert(check)
            }
            for (check, held) in other.tips { hold(tip: held.interval, check: check, ordinal: held.ordinal) }
            for (check, held) in other.latest { hold(latest: held.heartbeat, check: check, ordinal: held.ordinal) }
            rollups.add(other.rollups)
            batches += other.batches
            definitions = definitions || other.definitions
        }
    }

    /// What a transaction wrote of what was held, applied to the state once it has committed.
    struct DeferredWrite {
        var checks: Set<Int64> = []
        var rollups = false
        var journalEnd: Int64
    }

    /// Writes, in the caller's transaction, what is held and due together with `holds` (this
    /// transaction's): the rollups when a minute has passed since they were last folded (then folds
    /// them) or when they hold more of the journal than its limit, the checks held longest or since a
    /// journal position past its limit (at most ``WriteBehind/Settings/checksPerCommit``), or
    /// everything with `force`, when a batch defined checks or the journal is twice its limit. Moves
    /// the journal's start positions and forgets the batches no replay needs.
    ///
    /// A journal past its limit is shortened a few checks a transaction, not all at once: at 750,000
    /// heartbeats/s (`IngestLoad`) the rollups, written once a minute, kept it past 5,000 batches for
    /// most of every minute, and each time it passed them every held check was written in one commit
    /// that the batches waiting behind it waited for.
    func writeDeferred(_ db: Database, _ holds: Holds, nowMs: Int64, force: Bool = false) throws -> DeferredWrite {
        let settings = writeBehind.settings
        let held = writeBehind.snapshot
        let journalEnd = held.nextOrdinal + holds.batches
        let (twice, overflow) = settings.maxJournalBatches.multipliedReportingOverflow(by: 2)
        let force = force || holds.definitions || journalEnd - min(held.rollupsFrom, held.checksFrom) > (overflow ? .max : twice)
        var write = DeferredWrite(journalEnd: journalEnd)

        let foldedBefore = try Self.rollupsFoldedBefore(db)
        let foldDue = RollupAccumulator.floor(nowMs, to: RollupResolution.minute.rawValue) > foldedBefore
        if force || foldDue || journalEnd - held.rollupsFrom > settings.maxJournalBatches {
            var rollups = held.rollups
            rollups.add(holds.rollups)
            try Self.writeRollups(db, rollups, foldedBeforeMs: foldedBefore)
            try Self.foldRollups(db, toMs: nowMs)
            write.rollups = true
        }

        let due = force
            ? Set(held.checks.keys).union(holds.latest.keys).union(holds.tips.keys)
            : Set(held.due(beforeMs: nowMs - settings.checksAfterMs, beforeOrdinal: journalEnd - settings.maxJournalBatches, limit: settings.checksPerCommit))
        for check in due {
            var heartbeat = held.checks[check]?.heartbeat
            if let new = holds.latest[check]?.heartbeat, heartbeat.map({ $0.timestampMs <= new.timestampMs }) ?? true { heartbeat = new }
            if let heartbeat { try Self.recordLatest(db, checkID: check, heartbeat: heartbeat) }
            let heldTip = holds.tipsWritten.contains(check) || !(held.checks[check]?.tipHeld ?? false) ? nil : writeBehind.tipCache.tip(check)
            if let tip = holds.tips[check]?.interval ?? heldTip {
                try Self.writeInterval(db, checkID: check, tip)
            }
        }
        write.checks = due

        // Where a replay would start once this commits.
        let rollupsFrom = write.rollups ? journalEnd : held.rollupsFrom
        var checksFrom = held.checksFrom(excluding: due)
        if checksFrom == held.nextOrdinal {
            let firsts = holds.latest.filter { !due.contains($0.key) }.map(\.value.ordinal) + holds.tips.filter { !due.contains($0.key) }.map(\.value.ordinal)
            checksFrom = firsts.min() ?? journalEnd
        }
        if rollupsFrom != held.rollupsFrom || checksFrom != held.checksFrom {
            try db.cachedStatement(sql: "UPDATE deferred_state SET rollups_from = ?, latest_from = ? WHERE id = 1")
                .execute(arguments: [rollupsFrom, checksFrom])
            try db.cachedStatement(sql: "DELETE FROM deferred_batches WHERE ordinal < ?").execute(arguments: [min(rollupsFrom, checksFrom)])
        }
        return write
    }

    /// Applies a committed transaction's holds and writes to the state (on the writer, right after the
    /// commit, before any other transaction reads the state, and after ``tips`` has the tips it held).
    func applyDeferred(_ holds: Holds, _ write: DeferredWrite, nowMs: Int64) {
        writeBehind.update { state in
            state.wrote(write.checks)
            if write.rollups {
                state.rollups = RollupAccumulator()
                state.rollupsFrom = write.journalEnd
            } else {
                state.rollups.add(holds.rollups)
            }
            for check in holds.tipsWritten where !write.checks.contains(check) { state.wroteTip(check) }
            for (check, held) in holds.tips where !write.checks.contains(check) {
                state.holdTip(check: check, ordinal: held.ordinal, nowMs: nowMs)
            }
            for (check, held) in holds.latest where !write.checks.contains(check) {
                state.hold(latest: held.heartbeat, check: check, ordinal: held.ordinal, nowMs: nowMs)
            }
            state.nextOrdinal = write.journalEnd
        }
    }

    /// Runs `body` in a write transaction that first writes everything held (imports and pruning,
    /// which rewrite stored rows, start from rows that hold every batch). With `forgettingTips` the
    /// tip cache is emptied once it has committed, before the writer runs anything else (`body`
    /// rewrote intervals; had it failed, the cache would still be right).
    func writingFlushed<T: Sendable>(
        nowMs: Int64 = WallClock.nowMs(), forgettingTips: Bool = false, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await writingDeferred(nowMs: nowMs, force: true, forgettingTips: forgettingTips, body).0
    }

    /// Writes what is due when no batch comes to do it (``DeltaCompactor`` asks once a second): the
    /// rollups once a minute has passed, the checks held longest. Returns how many checks' rows it wrote.
    func flushDue(nowMs: Int64) async throws -> Int {
        // Asked under the lock, not of a copy: a copy alive while the writer changes the state would make
        // it duplicate every held check (tens of MB at 100,000 checks).
        let settings = writeBehind.settings
        let checksDue = writeBehind.inspect { held in
            !held.due(beforeMs: nowMs - settings.checksAfterMs, beforeOrdinal: held.nextOrdinal - settings.maxJournalBatches, limit: 1).isEmpty
        }
        let foldDue = try await rollupsFoldedBeforeMs() <= nowMs - RollupResolution.minute.rawValue
        guard foldDue || checksDue else { return 0 }
        return try await writingDeferred(nowMs: nowMs, force: false, forgettingTips: false) { _ in () }.1
    }

    /// Writes everything held (a clean stop, so that the next start replays nothing). Returns how many
    /// checks' rows it wrote.
    func writeHeld(nowMs: Int64 = WallClock.nowMs()) async throws -> Int {
        try await writingDeferred(nowMs: nowMs, force: true, forgettingTips: false) { _ in () }.1
    }

    /// `body` after ``writeDeferred(_:_:nowMs:force:)`` in one transaction; also how many checks' rows
    /// were written.
    private func writingDeferred<T: Sendable>(
        nowMs: Int64, force: Bool, forgettingTips: Bool, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> (T, Int) {
        do {
            return try await pool.writeWithoutTransaction { db in
                self.publication.begin()
                defer { self.publication.end() }
                var write: DeferredWrite?
                var value: T?
                try db.inTransaction {
                    write = try self.writeDeferred(db, Holds(), nowMs: nowMs, force: force)
                    value = try body(db)
                    return .commit
                }
                if forgettingTips {
                    // An import rewrote intervals and may have defined checks.
                    self.tips.removeAll()
                    self.sessions.invalidate()
                }
                self.applyDeferred(Holds(), write!, nowMs: nowMs)
                return (value!, write!.checks.count)
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error) ?? error
        }
    }

    // MARK: Reading what is held

    /// `runs` (a check's stored intervals, by start) with `tip` held for it: it replaces the stored row
    /// that starts with it when it is newer, or is added when no row does and it overlaps
    /// [`endAfter`, `startBefore`). A stored row at least as new wins: it was written after the copy
    /// of `tip` was taken.
    static func overlay(_ runs: [StateInterval], tip: StateInterval, endAfter: Int64, startBefore: Int64) -> [StateInterval] {
        var runs = runs
        if let index = runs.firstIndex(where: { $0.startMs == tip.startMs }) {
            if tip.lastBeatMs > runs[index].lastBeatMs { runs[index] = tip }
            return runs
        }
        guard tip.endMs > endAfter && tip.startMs < startBefore else { return runs }
        runs.insert(tip, at: runs.firstIndex { $0.startMs > tip.startMs } ?? runs.count)
        return runs
    }

    // MARK: Replay

    /// Writes what the journal's batches held when the store was last closed (or crashed): each batch
    /// is decoded again and planned as ingest planned it; its rollups are added from the rollup
    /// position on, and from the checks' position on its checks' newest heartbeats are taken and the
    /// heartbeats newer than a check's stored tip folded into it (older ones were written with the
    /// batch). Returns the state to start from (nothing held).
    static func replayDeferred(_ db: Database) throws -> WriteBehind.State {
        guard let positions = try Row.fetchOne(db, sql: "SELECT rollups_from, latest_from FROM deferred_state WHERE id = 1") else {
            return WriteBehind.State()
        }
        let rollupsFrom: Int64 = positions[0]
        let checksFrom: Int64 = positions[1]
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.ordinal, r.agent_id, r.session_id, r.received_ms, r.content_type, r.content_encoding, r.body,
                r.oldest_accepted_ms, r.newest_accepted_ms, r.refused_checks
            FROM deferred_batches d JOIN raw_batches r ON r.agent_id = d.agent_id AND r.session_id = d.session_id AND r.seq = d.seq
            WHERE d.ordinal >= ? ORDER BY d.ordinal
            """, arguments: [min(rollupsFrom, checksFrom)])
        var end = max(rollupsFrom, checksFrom)
        var rollups = RollupAccumulator()
        var latest: [Int64: Heartbeat] = [:]
        var tips: [Int64: StateInterval?] = [:]
        var grown: Set<Int64> = []
        var sessions: [String: [UInt32: IngestPlan.SessionCheck]] = [:]
        for row in rows {
            let ordinal: Int64 = row[0]
            end = max(end, ordinal + 1)
            let agentID: Int64 = row[1]
            let sessionID: String = row[2]
            let body: Data = row[6]
            guard var batch = RawBatchReplay.heartbeats([UInt8](body), contentType: row[4], contentEncoding: row[5]) else { continue }
            let oldest: Int64 = row[7] ?? Int64.min
            let newest: Int64 = row[8] ?? Int64.max
            if newest != Int64.max { _ = ClockCorrection(correcting: &batch.heartbeats, newestAcceptedMs: newest) }
            var input = IngestBatch(
                agentID: agentID, batch: batch, rawBody: [], contentType: row[4], contentEncoding: row[5],
                receivedMs: row[3], oldestAcceptedMs: oldest, newestAcceptedMs: newest
            )
            for check in RawBatchReplay.refusedChecks(row[9]) {
                input.refusedDefinitions[check] = RefusedDefinition(service: "", reason: "")
            }
            let key = "\(agentID)\u{0}\(sessionID)"
            if sessions[key] == nil { sessions[key] = try sessionChecks(db, agentID: agentID, sessionID: sessionID) }
            let plan = IngestPlan(input, sessionChecks: sessions[key]!)
            if ordinal >= rollupsFrom { rollups.add(plan.rollups) }
            guard ordinal >= checksFrom else { continue }
            for (check, beats) in plan.perCheck {
                let heartbeat = beats[beats.count - 1]
                if latest[check].map({ $0.timestampMs <= heartbeat.timestampMs }) ?? true { latest[check] = heartbeat }
                if tips[check] == nil { tips[check] = .some(try tipInterval(db, checkID: check)) }
                guard let tip = tips[check]!, beats[0].timestampMs > tip.lastBeatMs,
                    let fold = IntervalFold(runs: [tip], heartbeats: beats, staleAfterMs: plan.staleAfter[check]!, intervalMs: plan.interval[check])
                else { continue }
                if !(fold.removed.isEmpty && fold.added.count == 1 && fold.added[0].startMs == tip.startMs) {
                    // Not a tip that only grew, so ingest wrote it with its batch; kept as a fold would.
                    for run in fold.removed {
                        try db.execute(sql: "DELETE FROM state_intervals WHERE check_id = ? AND start_ms = ?", arguments: [check, run.startMs])
                    }
                    for run in fold.added { try writeInterval(db, checkID: check, run) }
                }
                tips[check] = .some(fold.tip)
                grown.insert(check)
            }
        }
        try writeRollups(db, rollups, foldedBeforeMs: try rollupsFoldedBefore(db))
        for (check, heartbeat) in latest { try recordLatest(db, checkID: check, heartbeat: heartbeat) }
        for check in grown { if let tip = tips[check]! { try writeInterval(db, checkID: check, tip) } }
        try db.execute(sql: "UPDATE deferred_state SET rollups_from = ?, latest_from = ? WHERE id = 1", arguments: [end, end])
        try db.execute(sql: "DELETE FROM deferred_batches")
        var state = WriteBehind.State()
        state.rollupsFrom = end
        state.nextOrdinal = end
        return state
    }
}
