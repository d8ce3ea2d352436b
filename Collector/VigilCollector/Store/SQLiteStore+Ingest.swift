import Foundation
import GRDB
import VigilCore
import VigilWire

extension SQLiteStore {
    /// Stores a batch once per (agent, session, seq). Every statement is prepared once per connection
    /// (`cachedStatement`): preparing them anew for each batch cost more than running them.
    public func ingest(_ input: IngestBatch) async throws -> IngestOutcome {
        try await pool.write { db in
            let batch = input.batch
            let seq = Int64(batch.seq)
            let seen = try db.cachedStatement(sql: "SELECT 1 FROM raw_batches WHERE agent_id = ? AND session_id = ? AND seq = ?")
            if try Bool.fetchOne(seen, arguments: [input.agentID, batch.sessionID, seq]) ?? false {
                return IngestOutcome(accepted: 0, duplicate: true, rejected: [], unknownCheck: false)
            }

            for check in batch.checks {
                try Self.upsertCheck(db, check, agentID: input.agentID, sessionID: batch.sessionID, nowMs: input.receivedMs)
            }
            let plan = IngestPlan(input, sessionChecks: try Self.sessionChecks(db, agentID: input.agentID, sessionID: batch.sessionID))
            for (checkID, beats) in plan.perCheck {
                try Self.fold(db, checkID: checkID, heartbeats: beats, staleAfterMs: plan.staleAfter[checkID]!)
                try Self.recordLatest(db, checkID: checkID, heartbeat: beats[beats.count - 1])
            }
            try Self.writeRollups(db, plan.rollups)

            try db.cachedStatement(sql: """
                INSERT INTO raw_batches
                    (agent_id, session_id, seq, received_ms, content_type, content_encoding, body, heartbeats, accepted)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                input.agentID, batch.sessionID, seq, input.receivedMs, input.contentType, input.contentEncoding,
                Data(input.rawBody), batch.heartbeats.count, plan.accepted,
            ])
            try db.cachedStatement(sql: """
                UPDATE agents SET last_seen_ms = ?, agent_version = ?, session_id = ?, batches = batches + 1,
                    heartbeats = heartbeats + ?, dropped = dropped + ?,
                    last_heartbeat_ms = MAX(COALESCE(last_heartbeat_ms, ?), ?)
                WHERE id = ?
                """).execute(arguments: [
                input.receivedMs, batch.agentVersion, batch.sessionID, plan.accepted, Int64(clamping: batch.dropped),
                plan.newestMs, plan.newestMs, input.agentID,
            ])
            return plan.outcome
        }
    }

    /// The session's check ids mapped to store ids and stale limits.
    private static func sessionChecks(_ db: Database, agentID: Int64, sessionID: String) throws -> [UInt32: IngestPlan.SessionCheck] {
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

    private static func upsertCheck(_ db: Database, _ check: CheckDefinition, agentID: Int64, sessionID: String, nowMs: Int64) throws {
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
    }

    /// Folds time-ordered heartbeats of one check into its stored intervals.
    private static func fold(_ db: Database, checkID: Int64, heartbeats: [Heartbeat], staleAfterMs: Int64) throws {
        let first = heartbeats[0].timestampMs
        // Everything a heartbeat in this batch can touch, plus the tip (the newest run).
        var runs = try fetchIntervals(db, checkID: checkID, endAfter: first - staleAfterMs, startBefore: Int64.max)
        if runs.isEmpty, let tip = try tipInterval(db, checkID: checkID) { runs = [tip] }
        guard let fold = IntervalFold(runs: runs, heartbeats: heartbeats, staleAfterMs: staleAfterMs) else { return }
        let delete = try db.cachedStatement(sql: "DELETE FROM state_intervals WHERE check_id = ? AND start_ms = ?")
        for run in fold.removed {
            try delete.execute(arguments: [checkID, run.startMs])
        }
        let write = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for run in fold.added {
            try write.execute(arguments: [checkID, run.startMs, run.endMs, run.lastBeatMs, run.status.rawValue, run.beats, run.message])
        }
    }

    private static func tipInterval(_ db: Database, checkID: Int64) throws -> StateInterval? {
        let statement = try db.cachedStatement(sql: """
            SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
            WHERE check_id = ? ORDER BY start_ms DESC LIMIT 1
            """)
        return try Row.fetchOne(statement, arguments: [checkID]).map(interval)
    }

    private static func recordLatest(_ db: Database, checkID: Int64, heartbeat: Heartbeat) throws {
        try db.cachedStatement(sql: """
            UPDATE checks SET last_ts_ms = ?, last_status = ?, last_latency_us = ?, last_code = ?, last_message = ?
            WHERE id = ? AND (last_ts_ms IS NULL OR last_ts_ms <= ?)
            """).execute(arguments: [
            heartbeat.timestampMs, heartbeat.status.rawValue, heartbeat.latencyUs, heartbeat.code, heartbeat.message,
            checkID, heartbeat.timestampMs,
        ])
    }
}
