import Foundation
import GRDB
import VigilCore
import VigilWire

extension SQLiteStore {
    /// Stores a batch once per (agent, session, seq), in one transaction with the batches of other
    /// requests that arrived meanwhile (group commit, ``GroupCommitter``); it returns once that
    /// transaction has committed. Every statement is prepared once per connection (`cachedStatement`):
    /// preparing them anew for each batch cost more than running them.
    public func ingest(_ input: IngestBatch) async throws -> IngestOutcome {
        let planned = await plan(input)
        return try await committer.submit(planned) { drain in
            pool.asyncWriteWithoutTransaction { db in drain { inputs in self.commit(db, inputs) } }
        }
    }

    /// `input` with its ``IngestPlan`` worked out here, on the request's task, from the session's checks
    /// in ``sessions`` (read from the store once a session), so the writer does not: unplanned when the
    /// batch defines checks (the plan depends on what its own transaction writes) or the read failed.
    func plan(_ input: IngestBatch) async -> PlannedBatch {
        guard input.batch.checks.isEmpty else { return PlannedBatch(input) }
        let sessionID = input.batch.sessionID
        if let known = sessions.checks(agentID: input.agentID, sessionID: sessionID) {
            return PlannedBatch(input, plan: IngestPlan(input, sessionChecks: known.checks), generation: known.generation)
        }
        // The generation before the read: if definitions change meanwhile, the read is not kept.
        let generation = sessions.generation
        guard let checks = try? await pool.read({ try Self.sessionChecks($0, agentID: input.agentID, sessionID: sessionID) }) else {
            return PlannedBatch(input)
        }
        sessions.store(agentID: input.agentID, sessionID: sessionID, checks: checks, readAt: generation)
        return PlannedBatch(input, plan: IngestPlan(input, sessionChecks: checks), generation: generation)
    }

    /// Stores a group of batches in one transaction, each in a savepoint of its own: a batch refused
    /// whole (a definition limit) leaves the others stored, a storage failure fails them all. Each batch
    /// is journaled; its rollup rows and its checks' newest heartbeats are held by ``writeBehind`` and
    /// written with others later (``writeDeferred(_:_:nowMs:force:)``), and the check tips the
    /// transaction wrote go into ``tips`` once it has committed. Runs on the writer (`db` outside a
    /// transaction).
    func commit(_ db: Database, _ inputs: [PlannedBatch]) -> [Result<IngestOutcome, any Error>] {
        var results: [Result<IngestOutcome, any Error>] = []
        results.reserveCapacity(inputs.count)
        var written: [Int64: StateInterval] = [:]
        var changes: [String: Int64] = [:]
        var holds = Holds()
        var deferred: DeferredWrite?
        let nextOrdinal = writeBehind.update { $0.nextOrdinal }
        let nowMs = inputs.map(\.input.receivedMs).max() ?? 0
        // Once a batch of the transaction defines checks, the plans worked out before it may be stale.
        var defined = false
        // The feed's readers wait until what this commits is in memory too.
        publication.begin()
        defer {
            if defined { sessions.invalidate() }
            publication.end()
        }
        do {
            try db.inTransaction {
                for planned in inputs {
                    let input = planned.input
                    var batchTips: [Int64: StateInterval] = [:]
                    var batchHolds = Holds()
                    var batchChanges: [String: Int64] = [:]
                    let plan = defined || !sessions.isCurrent(planned.generation) ? nil : planned.plan
                    if !input.batch.checks.isEmpty { defined = true }
                    do {
                        var outcome: IngestOutcome?
                        try db.inSavepoint {
                            outcome = try self.store(
                                db, input, plan: plan, tips: &batchTips, knownTips: written, holds: &batchHolds, ordinal: nextOrdinal + holds.batches,
                                outageChanges: &batchChanges
                            )
                            return .commit
                        }
                        results.append(.success(outcome!))
                        written.merge(batchTips) { $1 }
                        holds.add(batchHolds)
                        changes.merge(batchChanges, uniquingKeysWith: min)
                    } catch let error as DatabaseError where Self.storeError(error) != nil {
                        // The transaction itself may be gone: fail the group.
                        throw error
                    } catch {
                        results.append(.failure(error))
                    }
                }
                deferred = try self.writeDeferred(db, holds, nowMs: nowMs)
                try Self.markChanged(db, changes, nowMs: nowMs)
                return .commit
            }
        } catch {
            let mapped: any Error = (error as? DatabaseError).flatMap(Self.storeError) ?? error
            return Array(repeating: .failure(mapped), count: inputs.count)
        }
        // The cache first: a check held by the write-behind state has its tip there.
        tips.apply(written)
        applyDeferred(holds, deferred!, nowMs: nowMs)
        if !changes.isEmpty { outageFeed.raiseChanged() }
        return results
    }

    /// Stores one batch on the writer's connection and journals it at `ordinal`; `plan` is its plan when
    /// still current (worked out here otherwise), `tips` gets the tips it wrote, `knownTips` has those
    /// written earlier in the transaction, `holds` its rollup rows and newest heartbeats and
    /// `outageChanges` the services whose outages it can change (both written by the caller).
    private func store(
        _ db: Database, _ input: IngestBatch, plan planned: IngestPlan?, tips batchTips: inout [Int64: StateInterval],
        knownTips: [Int64: StateInterval], holds: inout Holds, ordinal: Int64, outageChanges: inout [String: Int64]
    ) throws -> IngestOutcome {
        let batch = input.batch
        let seq = Int64(batch.seq)
        let seen = try db.cachedStatement(sql: "SELECT 1 FROM raw_batches WHERE agent_id = ? AND session_id = ? AND seq = ?")
        if try Bool.fetchOne(seen, arguments: [input.agentID, batch.sessionID, seq]) ?? false {
            return IngestOutcome(accepted: 0, duplicate: true, rejected: [], unknownCheck: false)
        }

        if let limits = input.limits, !batch.checks.isEmpty {
            try Self.enforce(limits, db, input)
        }
        var moved: [String: Int64] = [:]
        for check in batch.checks {
            if let old = try Self.upsertCheck(db, check, agentID: input.agentID, sessionID: batch.sessionID, nowMs: input.receivedMs) {
                moved[old] = OutageTracker.everything.startMs
                moved[check.service] = OutageTracker.everything.startMs
            }
        }
        // A check that moved to another service takes its history along: both services' outages are
        // derived again over their whole history, as history (only what is still going on alerts).
        try Self.markChanged(db, moved, nowMs: OutageChange.historyMarkMs)
        let plan = try planned ?? IngestPlan(input, sessionChecks: Self.sessionChecks(db, agentID: input.agentID, sessionID: batch.sessionID))
        var before: [Int64: StateInterval] = [:]
        for (checkID, beats) in plan.perCheck {
            let known = batchTips[checkID] ?? knownTips[checkID] ?? tips.tip(checkID)
            let (old, tip, outcome) = try Self.fold(
                db, checkID: checkID, heartbeats: beats, staleAfterMs: plan.staleAfter[checkID]!, intervalMs: plan.interval[checkID], knownTip: known
            )
            if let tip { batchTips[checkID] = tip }
            switch outcome {
            case .unchanged: break
            case .held: holds.hold(tip: tip!, check: checkID, ordinal: ordinal)
            case .written: holds.tipsWritten.insert(checkID)
            }
            before[checkID] = old
            holds.hold(latest: beats[beats.count - 1], check: checkID, ordinal: ordinal)
        }
        holds.rollups = plan.rollups
        holds.batches = 1
        holds.definitions = !batch.checks.isEmpty
        outageChanges = plan.outageChanges(tips: before, feed: outageFeed)

        try db.cachedStatement(sql: """
            INSERT INTO raw_batches
                (agent_id, session_id, seq, received_ms, content_type, content_encoding, body, heartbeats, accepted,
                 oldest_accepted_ms, newest_accepted_ms, minutes_indexed, refused_checks)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            """).execute(arguments: [
            input.agentID, batch.sessionID, seq, input.receivedMs, input.contentType, input.contentEncoding,
            Data(input.rawBody), batch.heartbeats.count, plan.accepted, input.oldestAcceptedMs, input.newestAcceptedMs,
            plan.refusedChecksText,
        ])
        try db.cachedStatement(sql: "INSERT INTO deferred_batches (ordinal, agent_id, session_id, seq) VALUES (?, ?, ?, ?)")
            .execute(arguments: [ordinal, input.agentID, batch.sessionID, seq])
        let minute = try db.cachedStatement(sql: "INSERT OR IGNORE INTO raw_batch_minutes (minute_ms, agent_id, session_id, seq) VALUES (?, ?, ?, ?)")
        for start in plan.minutes {
            try minute.execute(arguments: [start, input.agentID, batch.sessionID, seq])
        }
        try db.cachedStatement(sql: """
            UPDATE agents SET last_seen_ms = ?, agent_version = ?, session_id = ?, batches = batches + 1,
                heartbeats = heartbeats + ?, dropped = dropped + ?,
                last_heartbeat_ms = MAX(COALESCE(last_heartbeat_ms, ?), ?),
                clock_offset_ms = COALESCE(?, clock_offset_ms),
                clock_adjust_ms = CASE WHEN ? IS NOT NULL AND ? >= COALESCE(last_heartbeat_ms, ?) THEN ? ELSE clock_adjust_ms END
            WHERE id = ?
            """).execute(arguments: [
            input.receivedMs, batch.agentVersion, batch.sessionID, plan.accepted, Int64(clamping: batch.dropped),
            plan.newestMs, plan.newestMs, input.clockOffsetMs,
            input.clockAdjustMs, plan.newestMs, plan.newestMs, input.clockAdjustMs, input.agentID,
        ])
        return plan.outcome
    }

    /// Refuses the batch when its definitions would pass a limit (issue 19).
    private static func enforce(_ limits: DefinitionLimits, _ db: Database, _ input: IngestBatch) throws {
        var agentChecks: [String: String] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, service FROM checks WHERE agent_id = ?"), arguments: [input.agentID]) {
            agentChecks[row[0]] = row[1]
        }
        let candidates = DefinitionLimits.candidateServices(definitions: input.batch.checks, agentChecks: agentChecks)
        let known = try db.cachedStatement(sql: "SELECT 1 FROM checks WHERE service = ? LIMIT 1")
        let knownCandidates = try candidates.filter { try Bool.fetchOne(known, arguments: [$0]) ?? false }
        let allServices = candidates.isEmpty ? 0 : try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT service) FROM checks") ?? 0
        let usage = DefinitionLimits.usage(
            definitions: input.batch.checks, agentChecks: agentChecks, allServices: allServices, knownCandidates: Set(knownCandidates)
        )
        let agent = try String.fetchOne(db, sql: "SELECT name FROM agents WHERE id = ?", arguments: [input.agentID]) ?? "\(input.agentID)"
        if let reason = limits.refusal(usage, agent: agent) { throw StoreError(.limitExceeded, reason) }
    }

    /// The session's check ids mapped to store ids and stale limits.
    static func sessionChecks(_ db: Database, agentID: Int64, sessionID: String) throws -> [UInt32: IngestPlan.SessionCheck] {
        let statement = try db.cachedStatement(sql: """
            SELECT session_checks.local_id, checks.id, checks.interval_ms, checks.timeout_ms, checks.service FROM session_checks
            JOIN checks ON checks.id = session_checks.check_id
            WHERE session_checks.agent_id = ? AND session_checks.session_id = ?
            """)
        var map: [UInt32: IngestPlan.SessionCheck] = [:]
        for row in try Row.fetchAll(statement, arguments: [agentID, sessionID]) {
            map[UInt32(truncatingIfNeeded: row[0] as Int64)] = IngestPlan.SessionCheck(
                id: row[1], intervalMs: row[2], timeoutMs: row[3], service: row[4]
            )
        }
        return map
    }

    /// Creates or updates a check's definition and maps it for the session; returns the service it had
    /// when that was another.
    private static func upsertCheck(_ db: Database, _ check: CheckDefinition, agentID: Int64, sessionID: String, nowMs: Int64) throws -> String? {
        let previous = try String.fetchOne(
            db.cachedStatement(sql: "SELECT service FROM checks WHERE agent_id = ? AND name = ?"), arguments: [agentID, check.name]
        )
        try db.cachedStatement(sql: """
            INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (agent_id, name) DO UPDATE SET
                local_id = excluded.local_id, service = excluded.service, kind = excluded.kind,
                target = excluded.target, interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms,
                updated_ms = excluded.updated_ms
            """).execute(arguments: [
            agentID, check.name, check.id, check.service, check.kind, check.target, check.intervalMs, check.timeoutMs, nowMs,
        ])
        let find = try db.cachedStatement(sql: "SELECT id FROM checks WHERE agent_id = ? AND name = ?")
        let checkID = try Int64.fetchOne(find, arguments: [agentID, check.name])!
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO session_checks (agent_id, session_id, local_id, check_id) VALUES (?, ?, ?, ?)")
            .execute(arguments: [agentID, sessionID, check.id, checkID])
        return previous.flatMap { $0 == check.service ? nil : $0 }
    }

    /// What a fold did with a check's rows.
    enum FoldOutcome {
        /// Nothing changed.
        case unchanged
        /// Only the tip grew: nothing was written, the caller holds the tip (``WriteBehind``).
        case held
        /// The changes were written, and the newest rows as well: none is held any more.
        case written
    }

    /// Folds time-ordered heartbeats of one check into its stored intervals and returns its tip before
    /// and after (`nil` when it has no interval) and what it did. With `knownTip` (the check's newest
    /// interval as ingest knows it, held or stored) and heartbeats that can touch no older interval,
    /// nothing is read (``TipCache/foldNeedsOnlyTip``).
    private static func fold(
        _ db: Database, checkID: Int64, heartbeats: [Heartbeat], staleAfterMs: Int64, intervalMs: Int64?, knownTip: StateInterval?
    ) throws -> (before: StateInterval?, after: StateInterval?, outcome: FoldOutcome) {
        let first = heartbeats[0].timestampMs
        var runs: [StateInterval]
        let onlyTip = knownTip.map { TipCache.foldNeedsOnlyTip($0, firstMs: first, staleAfterMs: staleAfterMs) } ?? false
        if let knownTip, onlyTip {
            runs = [knownTip]
        } else {
            // Everything a heartbeat in this batch can touch, plus the tip (the newest run).
            let endAfter = first - staleAfterMs
            runs = try fetchIntervals(db, checkID: checkID, endAfter: endAfter, startBefore: Int64.max)
            if runs.isEmpty, let tip = try tipInterval(db, checkID: checkID) { runs = [tip] }
            // A held tip is newer than its row.
            if let knownTip { runs = overlay(runs, tip: knownTip, endAfter: endAfter, startBefore: Int64.max) }
        }
        guard let fold = IntervalFold(runs: runs, heartbeats: heartbeats, staleAfterMs: staleAfterMs, intervalMs: intervalMs) else {
            return (runs.last, runs.last, .unchanged)
        }
        // Heartbeats after the tip's newest that only make it longer: held, the raw batch is the record.
        if let knownTip, onlyTip, first > knownTip.lastBeatMs, fold.removed.isEmpty, fold.added.count == 1, fold.added[0].startMs == knownTip.startMs {
            return (knownTip, fold.tip, .held)
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM state_intervals WHERE check_id = ? AND start_ms = ?")
        for run in fold.removed {
            try delete.execute(arguments: [checkID, run.startMs])
        }
        for run in fold.added { try writeInterval(db, checkID: checkID, run) }
        // The known tip left as it was (a new run after a gap, a late heartbeat in an older run) may be
        // held, longer than its row: written too, so that nothing stays held behind rows written here.
        if let knownTip, !fold.added.contains(where: { $0.startMs == knownTip.startMs }), !fold.removed.contains(where: { $0.startMs == knownTip.startMs }) {
            try writeInterval(db, checkID: checkID, knownTip)
        }
        return (runs.last, fold.tip, .written)
    }

    /// Writes an interval, replacing the check's row with the same start.
    static func writeInterval(_ db: Database, checkID: Int64, _ run: StateInterval) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [checkID, run.startMs, run.endMs, run.lastBeatMs, run.status.rawValue, run.beats, run.message])
    }

    static func tipInterval(_ db: Database, checkID: Int64) throws -> StateInterval? {
        let statement = try db.cachedStatement(sql: """
            SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
            WHERE check_id = ? ORDER BY start_ms DESC LIMIT 1
            """)
        return try Row.fetchOne(statement, arguments: [checkID]).map(interval)
    }

    static func recordLatest(_ db: Database, checkID: Int64, heartbeat: Heartbeat) throws {
        try db.cachedStatement(sql: """
            UPDATE checks SET last_ts_ms = ?, last_status = ?, last_latency_us = ?, last_code = ?, last_message = ?
            WHERE id = ? AND (last_ts_ms IS NULL OR last_ts_ms <= ?)
            """).execute(arguments: [
            heartbeat.timestampMs, heartbeat.status.rawValue, heartbeat.latencyUs, heartbeat.code, heartbeat.message,
            checkID, heartbeat.timestampMs,
        ])
    }
}
