import Logging
import PostgresNIO
import VigilCore
import VigilWire

extension PostgresStore {
    /// Stores a batch once per (agent, session, seq), whichever replica it reaches: the agent's row is
    /// locked first, so the same batch retried to two collectors at once is stored by one and reported
    /// as a duplicate by the other.
    public func ingest(_ input: IngestBatch) async throws -> IngestOutcome {
        try await transaction("storing a batch") { connection, logger in
            let batch = input.batch
            let seq = Int64(batch.seq)
            try await connection.query("SELECT 1 FROM agents WHERE id = \(input.agentID) FOR UPDATE", logger: logger)
            let seen = try await connection.query("""
                SELECT 1 FROM raw_batches WHERE agent_id = \(input.agentID) AND session_id = \(batch.sessionID) AND seq = \(seq)
                """, logger: logger).collect()
            if !seen.isEmpty { return IngestOutcome(accepted: 0, duplicate: true, rejected: [], unknownCheck: false) }

            for check in batch.checks {
                try await Self.upsertCheck(connection, check, agentID: input.agentID, sessionID: batch.sessionID, nowMs: input.receivedMs, logger: logger)
            }
            let plan = IngestPlan(input, sessionChecks: try await Self.sessionChecks(connection, agentID: input.agentID, sessionID: batch.sessionID, logger: logger))
            for checkID in plan.perCheck.keys.sorted() {
                let beats = plan.perCheck[checkID]!
                try await Self.fold(connection, checkID: checkID, heartbeats: beats, staleAfterMs: plan.staleAfter[checkID]!, logger: logger)
                let last = beats[beats.count - 1]
                try await connection.query("""
                    UPDATE checks SET last_ts_ms = \(last.timestampMs), last_status = \(last.status.rawValue),
                        last_latency_us = \(Int64(last.latencyUs)), last_code = \(Int64(last.code)), last_message = \(last.message)
                    WHERE id = \(checkID) AND (last_ts_ms IS NULL OR last_ts_ms <= \(last.timestampMs))
                    """, logger: logger)
            }
            try await Self.writeRollups(connection, plan.rollups, logger: logger)
            let body = ByteBuffer(bytes: input.rawBody)
            try await connection.query("""
                INSERT INTO raw_batches (agent_id, session_id, seq, received_ms, content_type, content_encoding, body, heartbeats, accepted)
                VALUES (\(input.agentID), \(batch.sessionID), \(seq), \(input.receivedMs), \(input.contentType), \(input.contentEncoding),
                    \(body), \(Int64(batch.heartbeats.count)), \(Int64(plan.accepted)))
                """, logger: logger)
            try await connection.query("""
                UPDATE agents SET last_seen_ms = \(input.receivedMs), agent_version = \(batch.agentVersion), session_id = \(batch.sessionID),
                    batches = batches + 1, heartbeats = heartbeats + \(Int64(plan.accepted)), dropped = dropped + \(Int64(clamping: batch.dropped)),
                    last_heartbeat_ms = GREATEST(last_heartbeat_ms, \(plan.newestMs))
                WHERE id = \(input.agentID)
                """, logger: logger)
            return plan.outcome
        }
    }

    private static func upsertCheck(
        _ connection: PostgresConnection, _ check: CheckDefinition, agentID: Int64, sessionID: String, nowMs: Int64, logger: Logger
    ) async throws {
        let ids = try await connection.query("""
            INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
            VALUES (\(agentID), \(check.name), \(Int64(check.id)), \(check.service), \(check.kind), \(check.target),
                \(Int64(check.intervalMs)), \(Int64(check.timeoutMs)), \(nowMs))
            ON CONFLICT (agent_id, name) DO UPDATE SET
                local_id = excluded.local_id, service = excluded.service, kind = excluded.kind, target = excluded.target,
                interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms, updated_ms = excluded.updated_ms
            RETURNING id
            """, logger: logger).collect()
        let checkID = try ids[0].decode(Int64.self)
        try await connection.query("""
            INSERT INTO session_checks (agent_id, session_id, local_id, check_id) VALUES (\(agentID), \(sessionID), \(Int64(check.id)), \(checkID))
            ON CONFLICT (agent_id, session_id, local_id) DO UPDATE SET check_id = excluded.check_id
            """, logger: logger)
    }

    private static func sessionChecks(
        _ connection: PostgresConnection, agentID: Int64, sessionID: String, logger: Logger
    ) async throws -> [UInt32: IngestPlan.SessionCheck] {
        var map: [UInt32: IngestPlan.SessionCheck] = [:]
        let rows = try await connection.query("""
            SELECT session_checks.local_id, checks.id, checks.interval_ms, checks.timeout_ms, checks.service FROM session_checks
            JOIN checks ON checks.id = session_checks.check_id
            WHERE session_checks.agent_id = \(agentID) AND session_checks.session_id = \(sessionID)
            """, logger: logger)
        for try await (localID, id, interval, timeout, service) in rows.decode((Int64, Int64, Int64, Int64, String).self) {
            map[UInt32(truncatingIfNeeded: localID)] = .init(id: id, intervalMs: interval, timeoutMs: timeout, service: service)
        }
        return map
    }

    /// Folds time-ordered heartbeats of one check into its stored intervals.
    private static func fold(
        _ connection: PostgresConnection, checkID: Int64, heartbeats: [Heartbeat], staleAfterMs: Int64, logger: Logger
    ) async throws {
        // Everything a heartbeat in this batch can touch, plus the tip (the newest run).
        var runs = try await fetchIntervals(
            connection, checkID: checkID, endAfter: heartbeats[0].timestampMs - staleAfterMs, startBefore: Int64.max, logger: logger
        )
        if runs.isEmpty {
            runs = try await connection.query("""
                SELECT \(unescaped: intervalColumns) FROM state_intervals WHERE check_id = \(checkID) ORDER BY start_ms DESC LIMIT 1
                """, logger: logger).collect().map(interval)
        }
        guard let fold = IntervalFold(runs: runs, heartbeats: heartbeats, staleAfterMs: staleAfterMs) else { return }
        if !fold.removed.isEmpty {
            try await connection.query(
                "DELETE FROM state_intervals WHERE check_id = \(checkID) AND start_ms = ANY(\(fold.removed.map(\.startMs)))", logger: logger
            )
        }
        try await writeIntervals(connection, checkID: checkID, fold.added, logger: logger)
    }

    /// Writes intervals of one check in one statement, replacing rows with the same start.
    static func writeIntervals(_ connection: PostgresConnection, checkID: Int64, _ runs: [StateInterval], logger: Logger) async throws {
        guard !runs.isEmpty else { return }
        try await connection.query("""
            INSERT INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
            SELECT \(checkID), * FROM UNNEST(\(runs.map(\.startMs))::BIGINT[], \(runs.map(\.endMs))::BIGINT[],
                \(runs.map(\.lastBeatMs))::BIGINT[], \(runs.map(\.status.rawValue))::TEXT[], \(runs.map(\.beats))::BIGINT[],
                \(runs.map(\.message))::TEXT[])
            ON CONFLICT (check_id, start_ms) DO UPDATE SET end_ms = excluded.end_ms, last_beat_ms = excluded.last_beat_ms,
                status = excluded.status, beats = excluded.beats, message = excluded.message
            """, logger: logger)
    }

    /// Adds one batch's rollup rows to the stored ones. Writers of one service's rollups take its
    /// transaction lock in name order, so replicas merging histograms never lose an update or deadlock.
    static func writeRollups(_ connection: PostgresConnection, _ rollups: RollupAccumulator, logger: Logger) async throws {
        let byService = Dictionary(grouping: rollups.rows, by: \.key.service)
        for service in byService.keys.sorted() {
            try await connection.query("SELECT pg_advisory_xact_lock(\(rollupLockClass), hashtext(\(service)))", logger: logger)
            let rows = byService[service]!
            var merged = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.value) })
            let stored = try await connection.query("""
                SELECT resolution_ms, start_ms, up, degraded, down, latency FROM rollups
                WHERE service = \(service) AND (resolution_ms, start_ms) IN (
                    SELECT * FROM UNNEST(\(rows.map(\.key.resolution))::BIGINT[], \(rows.map(\.key.startMs))::BIGINT[]))
                """, logger: logger)
            for try await (resolution, start, up, degraded, down, latency) in stored.decode((Int64, Int64, Int64, Int64, Int64, ByteBuffer).self) {
                let key = RollupAccumulator.Key(service: service, resolution: resolution, startMs: start)
                merged[key]?.add(probeCounts(up: up, degraded: degraded, down: down, latency: latency))
            }
            try await upsertRollups(connection, merged.map { ($0.key, $0.value) }, logger: logger)
        }
    }

    /// Writes rollup rows as given, replacing stored rows with the same key.
    static func upsertRollups(_ connection: PostgresConnection, _ rows: [(RollupAccumulator.Key, ProbeCounts)], logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query("""
            INSERT INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency)
            SELECT * FROM UNNEST(\(rows.map(\.0.service))::TEXT[], \(rows.map(\.0.resolution))::BIGINT[], \(rows.map(\.0.startMs))::BIGINT[],
                \(rows.map(\.1.up))::BIGINT[], \(rows.map(\.1.degraded))::BIGINT[], \(rows.map(\.1.down))::BIGINT[],
                \(rows.map { ByteBuffer(bytes: $0.1.latency.encoded) })::BYTEA[])
            ON CONFLICT (service, resolution_ms, start_ms) DO UPDATE SET up = excluded.up, degraded = excluded.degraded,
                down = excluded.down, latency = excluded.latency
            """, logger: logger)
    }

    /// The first key of the two-part advisory locks taken per service while writing rollups ("VG").
    static let rollupLockClass: Int32 = 0x5647
}
