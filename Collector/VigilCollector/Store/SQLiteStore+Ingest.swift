import Foundation
import GRDB
import VigilCore
import VigilWire

extension SQLiteStore {
    public func ingest(_ input: IngestBatch) async throws -> IngestOutcome {
        try await pool.write { db in
            let batch = input.batch
            let seq = Int64(batch.seq)
            if try Bool.fetchOne(
                db,
                sql: "SELECT 1 FROM raw_batches WHERE agent_id = ? AND session_id = ? AND seq = ?",
                arguments: [input.agentID, batch.sessionID, seq]
            ) ?? false {
                return IngestOutcome(accepted: 0, duplicate: true, rejected: [], unknownCheck: false)
            }

            for check in batch.checks {
                try Self.upsertCheck(db, check, agentID: input.agentID, sessionID: batch.sessionID, nowMs: input.receivedMs)
            }
            let sessionChecks = try Self.sessionChecks(db, agentID: input.agentID, sessionID: batch.sessionID)

            // Validate, then group accepted heartbeats per check in time order.
            var rejected: [BatchAck.Rejection] = []
            var unknownCheck = false
            var perCheck: [Int64: [Heartbeat]] = [:]
            var staleAfter: [Int64: Int64] = [:]
            var rollups = RollupAccumulator()
            for (index, heartbeat) in batch.heartbeats.enumerated() {
                guard let check = sessionChecks[heartbeat.check] else {
                    unknownCheck = true
                    rejected.append(.init(index: index, reason: "unknown check id \(heartbeat.check): send its definition"))
                    continue
                }
                if heartbeat.timestampMs > input.newestAcceptedMs {
                    rejected.append(.init(index: index, reason: "timestamp \(heartbeat.timestampMs) is more than the allowed skew in the future"))
                    continue
                }
                if heartbeat.timestampMs < input.oldestAcceptedMs {
                    rejected.append(.init(index: index, reason: "timestamp \(heartbeat.timestampMs) is older than the retention period"))
                    continue
                }
                perCheck[check.id, default: []].append(heartbeat)
                staleAfter[check.id] = check.staleAfterMs
                rollups.record(heartbeat, service: check.service)
            }

            var accepted = 0
            var newest: Int64?
            for (checkID, beats) in perCheck {
                let sorted = beats.sorted { $0.timestampMs < $1.timestampMs }
                try Self.fold(db, checkID: checkID, heartbeats: sorted, staleAfterMs: staleAfter[checkID]!)
                try Self.recordLatest(db, checkID: checkID, heartbeat: sorted[sorted.count - 1])
                accepted += sorted.count
                newest = max(newest ?? Int64.min, sorted[sorted.count - 1].timestampMs)
            }

            try Self.writeRollups(db, rollups)
            try db.execute(
                sql: """
                    INSERT INTO raw_batches
                        (agent_id, session_id, seq, received_ms, content_type, content_encoding, body, heartbeats, accepted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    input.agentID, batch.sessionID, seq, input.receivedMs, input.contentType, input.contentEncoding,
                    Data(input.rawBody), batch.heartbeats.count, accepted,
                ]
            )
            try db.execute(
                sql: """
                    UPDATE agents SET last_seen_ms = ?, agent_version = ?, session_id = ?, batches = batches + 1,
                        heartbeats = heartbeats + ?, dropped = dropped + ?,
                        last_heartbeat_ms = MAX(COALESCE(last_heartbeat_ms, ?), ?)
                    WHERE id = ?
                    """,
                arguments: [
                    input.receivedMs, batch.agentVersion, batch.sessionID, accepted, Int64(clamping: batch.dropped),
                    newest, newest, input.agentID,
                ]
            )
            return IngestOutcome(accepted: accepted, duplicate: false, rejected: rejected, unknownCheck: unknownCheck)
        }
    }

    /// The session's check ids mapped to store ids and stale limits.
    private static func sessionChecks(
        _ db: Database, agentID: Int64, sessionID: String
    ) throws -> [UInt32: (id: Int64, staleAfterMs: Int64, service: String)] {
        var map: [UInt32: (id: Int64, staleAfterMs: Int64, service: String)] = [:]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT session_checks.local_id, checks.id, checks.interval_ms, checks.timeout_ms, checks.service FROM session_checks
                JOIN checks ON checks.id = session_checks.check_id
                WHERE session_checks.agent_id = ? AND session_checks.session_id = ?
                """,
            arguments: [agentID, sessionID]
        )
        for row in rows {
            let definition = CheckDefinition(
                id: 0, name: "", service: "", kind: "", target: "",
                intervalMs: UInt32(truncatingIfNeeded: row["interval_ms"] as Int64),
                timeoutMs: UInt32(truncatingIfNeeded: row["timeout_ms"] as Int64)
            )
            map[UInt32(truncatingIfNeeded: row["local_id"] as Int64)] = (row["id"], definition.staleAfterMs, row["service"])
        }
        return map
    }

    private static func upsertCheck(_ db: Database, _ check: CheckDefinition, agentID: Int64, sessionID: String, nowMs: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (agent_id, name) DO UPDATE SET
                    local_id = excluded.local_id, service = excluded.service, kind = excluded.kind,
                    target = excluded.target, interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms,
                    updated_ms = excluded.updated_ms
                """,
            arguments: [agentID, check.name, check.id, check.service, check.kind, check.target, check.intervalMs, check.timeoutMs, nowMs]
        )
        let checkID = try Int64.fetchOne(
            db, sql: "SELECT id FROM checks WHERE agent_id = ? AND name = ?", arguments: [agentID, check.name]
        )!
        try db.execute(
            sql: "INSERT OR REPLACE INTO session_checks (agent_id, session_id, local_id, check_id) VALUES (?, ?, ?, ?)",
            arguments: [agentID, sessionID, check.id, checkID]
        )
    }

    /// Folds time-ordered heartbeats of one check into its stored intervals.
    private static func fold(_ db: Database, checkID: Int64, heartbeats: [Heartbeat], staleAfterMs: Int64) throws {
        let first = heartbeats[0].timestampMs
        // Everything a heartbeat in this batch can touch, plus the tip (the newest run).
        var runs = try fetchIntervals(db, checkID: checkID, endAfter: first - staleAfterMs, startBefore: Int64.max)
        if runs.isEmpty, let tip = try tipInterval(db, checkID: checkID) { runs = [tip] }
        let before = runs
        for heartbeat in heartbeats {
            runs = IntervalTimeline.apply(
                timestampMs: heartbeat.timestampMs, status: heartbeat.status, message: heartbeat.message, to: runs,
                staleAfterMs: staleAfterMs
            )
        }
        guard runs != before else { return }
        let kept = Set(runs)
        for run in before where !kept.contains(run) {
            try db.execute(sql: "DELETE FROM state_intervals WHERE check_id = ? AND start_ms = ?", arguments: [checkID, run.startMs])
        }
        let old = Set(before)
        for run in runs where !old.contains(run) {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [checkID, run.startMs, run.endMs, run.lastBeatMs, run.status.rawValue, run.beats, run.message]
            )
        }
    }

    private static func tipInterval(_ db: Database, checkID: Int64) throws -> StateInterval? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
                WHERE check_id = ? ORDER BY start_ms DESC LIMIT 1
                """,
            arguments: [checkID]
        ).map(interval)
    }

    private static func recordLatest(_ db: Database, checkID: Int64, heartbeat: Heartbeat) throws {
        try db.execute(
            sql: """
                UPDATE checks SET last_ts_ms = ?, last_status = ?, last_latency_us = ?, last_code = ?, last_message = ?
                WHERE id = ? AND (last_ts_ms IS NULL OR last_ts_ms <= ?)
                """,
            arguments: [
                heartbeat.timestampMs, heartbeat.status.rawValue, heartbeat.latencyUs, heartbeat.code, heartbeat.message,
                checkID, heartbeat.timestampMs,
            ]
        )
    }
}
