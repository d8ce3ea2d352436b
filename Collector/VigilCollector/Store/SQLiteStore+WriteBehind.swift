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

        mutating func add(_ other: Holds) {
            for (check, held) in other.latest { hold(latest: held.heartbeat, check: check, ordinal: held.ordinal) }
            rollups.add(other.rollups)
            batches += other.batches
            definitions = definitions || other.definitions
        }
    }

    /// What a transaction wrote of what was held, applied to the state once it has committed.
    struct DeferredWrite {
        var latest: Set<Int64> = []
        var rollups = false
        var journalEnd: Int64
    }

    /// Writes, in the caller's transaction, what is held and due together with `holds` (this
    /// transaction's): the rollups when a minute has passed since they were last folded (then folds
    /// them), the heartbeats held longest, or everything with `force`, when a batch defined checks or
    /// the journal is long. Moves the journal's start positions and forgets the batches no replay needs.
    func writeDeferred(_ db: Database, _ holds: Holds, nowMs: Int64, force: Bool = false) throws -> DeferredWrite {
        let settings = writeBehind.settings
        let held = writeBehind.snapshot
        let journalEnd = held.nextOrdinal + holds.batches
        let force = force || holds.definitions || journalEnd - min(held.rollupsFrom, held.latestFrom) > settings.maxJournalBatches
        var write = DeferredWrite(journalEnd: journalEnd)

        let foldedBefore = try Self.rollupsFoldedBefore(db)
        let foldDue = RollupAccumulator.floor(nowMs, to: RollupResolution.minute.rawValue) > foldedBefore
        if force || foldDue {
            var rollups = held.rollups
            rollups.add(holds.rollups)
            try Self.writeRollups(db, rollups, foldedBeforeMs: foldedBefore)
            try Self.foldRollups(db, toMs: nowMs)
            write.rollups = true
        }

        let due = force
            ? Set(held.latest.keys).union(holds.latest.keys)
            : Set(held.due(beforeMs: nowMs - settings.latestAfterMs, beforeOrdinal: journalEnd - settings.maxJournalBatches, limit: settings.latestPerCommit))
        for check in due {
            var heartbeat = held.latest[check]?.heartbeat
            if let new = holds.latest[check]?.heartbeat, heartbeat.map({ $0.timestampMs <= new.timestampMs }) ?? true { heartbeat = new }
            if let heartbeat { try Self.recordLatest(db, checkID: check, heartbeat: heartbeat) }
        }
        write.latest = due

        // Where a replay would start once this commits.
        let rollupsFrom = write.rollups ? journalEnd : held.rollupsFrom
        var latestFrom = journalEnd
        for entry in held.queue[held.queueHead...] where !due.contains(entry.check) && held.latest[entry.check]?.sinceOrdinal == entry.ordinal {
            latestFrom = entry.ordinal
            break
        }
        if latestFrom == journalEnd, let first = holds.latest.filter({ !due.contains($0.key) }).map(\.value.ordinal).min() {
            latestFrom = first
        }
        if rollupsFrom != held.rollupsFrom || latestFrom != held.latestFrom {
            try db.cachedStatement(sql: "UPDATE deferred_state SET rollups_from = ?, latest_from = ? WHERE id = 1")
                .execute(arguments: [rollupsFrom, latestFrom])
            try db.cachedStatement(sql: "DELETE FROM deferred_batches WHERE ordinal < ?").execute(arguments: [min(rollupsFrom, latestFrom)])
        }
        return write
    }

    /// Applies a committed transaction's holds and writes to the state (on the writer, right after the
    /// commit, before any other transaction reads the state).
    func applyDeferred(_ holds: Holds, _ write: DeferredWrite, nowMs: Int64) {
        writeBehind.update { state in
            state.wrote(latest: write.latest)
            if write.rollups {
                state.rollups = RollupAccumulator()
                state.rollupsFrom = write.journalEnd
            } else {
                state.rollups.add(holds.rollups)
            }
            for (check, held) in holds.latest where !write.latest.contains(check) {
                state.hold(latest: held.heartbeat, check: check, ordinal: held.ordinal, nowMs: nowMs)
            }
            state.nextOrdinal = write.journalEnd
        }
    }

    /// Runs `body` in a write transaction that first writes everything held (imports and pruning,
    /// which rewrite stored rows, start from rows that hold every batch).
    func writingFlushed<T: Sendable>(nowMs: Int64 = WallClock.nowMs(), _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var write: DeferredWrite?
                var value: T?
                try db.inTransaction {
                    write = try self.writeDeferred(db, Holds(), nowMs: nowMs, force: true)
                    value = try body(db)
                    return .commit
                }
                self.applyDeferred(Holds(), write!, nowMs: nowMs)
                return value!
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error) ?? error
        }
    }

    /// Writes what is due when no batch comes to do it (``DeltaCompactor`` asks once a second): the
    /// rollups once a minute has passed, the heartbeats held longest. Returns how many checks' newest
    /// heartbeats it wrote.
    func flushDue(nowMs: Int64) async throws -> Int {
        let held = writeBehind.snapshot
        let settings = writeBehind.settings
        let foldDue = try await rollupsFoldedBeforeMs() <= nowMs - RollupResolution.minute.rawValue
        let latestDue = !held.due(beforeMs: nowMs - settings.latestAfterMs, beforeOrdinal: held.nextOrdinal - settings.maxJournalBatches, limit: 1).isEmpty
        guard foldDue || latestDue else { return 0 }
        do {
            return try await pool.writeWithoutTransaction { db in
                var write: DeferredWrite?
                try db.inTransaction {
                    write = try self.writeDeferred(db, Holds(), nowMs: nowMs)
                    return .commit
                }
                self.applyDeferred(Holds(), write!, nowMs: nowMs)
                return write!.latest.count
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error) ?? error
        }
    }

    // MARK: Replay

    /// Writes what the journal's batches held when the store was last closed (or crashed): each batch
    /// is decoded again and planned as ingest planned it, its rollups added from the rollup position on
    /// and its checks' newest heartbeats taken from the heartbeat position on. Returns the state to
    /// start from (nothing held).
    static func replayDeferred(_ db: Database) throws -> WriteBehind.State {
        guard let positions = try Row.fetchOne(db, sql: "SELECT rollups_from, latest_from FROM deferred_state WHERE id = 1") else {
            return WriteBehind.State()
        }
        let rollupsFrom: Int64 = positions[0]
        let latestFrom: Int64 = positions[1]
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.ordinal, r.agent_id, r.session_id, r.received_ms, r.content_type, r.content_encoding, r.body,
                r.oldest_accepted_ms, r.newest_accepted_ms, r.refused_checks
            FROM deferred_batches d JOIN raw_batches r ON r.agent_id = d.agent_id AND r.session_id = d.session_id AND r.seq = d.seq
            WHERE d.ordinal >= ? ORDER BY d.ordinal
            """, arguments: [min(rollupsFrom, latestFrom)])
        var end = max(rollupsFrom, latestFrom)
        var rollups = RollupAccumulator()
        var latest: [Int64: Heartbeat] = [:]
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
            if ordinal >= latestFrom {
                for (check, beats) in plan.perCheck {
                    let heartbeat = beats[beats.count - 1]
                    if latest[check].map({ $0.timestampMs <= heartbeat.timestampMs }) ?? true { latest[check] = heartbeat }
                }
            }
        }
        try writeRollups(db, rollups, foldedBeforeMs: try rollupsFoldedBefore(db))
        for (check, heartbeat) in latest { try recordLatest(db, checkID: check, heartbeat: heartbeat) }
        try db.execute(sql: "UPDATE deferred_state SET rollups_from = ?, latest_from = ? WHERE id = 1", arguments: [end, end])
        try db.execute(sql: "DELETE FROM deferred_batches")
        var state = WriteBehind.State()
        state.rollupsFrom = end
        state.nextOrdinal = end
        return state
    }
}
