import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    /// Folds a batch's heartbeats into the stored intervals of all its checks: one read of every
    /// interval they can touch (plus each check's newest), then one delete, one insert and one update of
    /// the checks' latest heartbeat. Returns the services whose outages the batch can change, with the
    /// earliest heartbeat time that does (``OutageFeed``).
    static func fold(_ connection: PostgresConnection, _ plan: IngestPlan, feed: OutageFeed, logger: Logger) async throws -> [String: Int64] {
        let checkIDs = plan.perCheck.keys.sorted()
        guard !checkIDs.isEmpty else { return [:] }
        let reach = checkIDs.map { plan.perCheck[$0]![0].timestampMs - plan.staleAfter[$0]! }
        var runs: [Int64: [StateInterval]] = [:]
        let rows = try await connection.query("""
            SELECT q.id, s.status, s.start_ms, s.end_ms, s.last_beat_ms, s.beats, s.message
            FROM UNNEST(\(checkIDs)::BIGINT[], \(reach)::BIGINT[]) AS q(id, reach)
            CROSS JOIN LATERAL (
                SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
                WHERE check_id = q.id AND end_ms > q.reach
                UNION
                (SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
                 WHERE check_id = q.id ORDER BY start_ms DESC LIMIT 1)
            ) AS s
            ORDER BY q.id, s.start_ms
            """, logger: logger)
        for try await (id, status, start, end, lastBeat, beats, message) in rows.decode((Int64, String, Int64, Int64, Int64, Int64, String).self) {
            runs[id, default: []].append(StateInterval(
                status: CheckStatus(rawValue: status) ?? .unknown, startMs: start, endMs: end, lastBeatMs: lastBeat, beats: beats, message: message
            ))
        }

        var removed: [(Int64, Int64)] = []
        var added: [(Int64, StateInterval)] = []
        var latest: [(Int64, Heartbeat)] = []
        for id in checkIDs {
            let beats = plan.perCheck[id]!
            latest.append((id, beats[beats.count - 1]))
            guard let fold = IntervalFold(runs: runs[id] ?? [], heartbeats: beats, staleAfterMs: plan.staleAfter[id]!, intervalMs: plan.interval[id]) else { continue }
            removed += fold.removed.map { (id, $0.startMs) }
            added += fold.added.map { (id, $0) }
        }
        if !removed.isEmpty {
            try await connection.query("""
                DELETE FROM state_intervals WHERE (check_id, start_ms) IN (
                    SELECT * FROM UNNEST(\(removed.map(\.0))::BIGINT[], \(removed.map(\.1))::BIGINT[]))
                """, logger: logger)
        }
        try await writeIntervals(connection, added, logger: logger)
        try await connection.query("""
            UPDATE checks SET last_ts_ms = v.ts, last_status = v.status, last_latency_us = v.latency, last_code = v.code, last_message = v.message
            FROM UNNEST(\(latest.map(\.0))::BIGINT[], \(latest.map(\.1.timestampMs))::BIGINT[], \(latest.map(\.1.status.rawValue))::TEXT[],
                \(latest.map { Int64($0.1.latencyUs) })::BIGINT[], \(latest.map { Int64($0.1.code) })::BIGINT[], \(latest.map(\.1.message))::TEXT[])
                AS v(id, ts, status, latency, code, message)
            WHERE checks.id = v.id AND (checks.last_ts_ms IS NULL OR checks.last_ts_ms <= v.ts)
            """, logger: logger)
        return plan.outageChanges(tips: runs.compactMapValues(\.last), feed: feed)
    }

    /// Writes intervals (of any checks) in one statement, replacing rows with the same start.
    static func writeIntervals(_ connection: PostgresConnection, _ runs: [(Int64, StateInterval)], logger: Logger) async throws {
        guard !runs.isEmpty else { return }
        try await connection.query("""
            INSERT INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
            SELECT * FROM UNNEST(\(runs.map(\.0))::BIGINT[], \(runs.map(\.1.startMs))::BIGINT[], \(runs.map(\.1.endMs))::BIGINT[],
                \(runs.map(\.1.lastBeatMs))::BIGINT[], \(runs.map(\.1.status.rawValue))::TEXT[], \(runs.map(\.1.beats))::BIGINT[],
                \(runs.map(\.1.message))::TEXT[])
            ON CONFLICT (check_id, start_ms) DO UPDATE SET end_ms = excluded.end_ms, last_beat_ms = excluded.last_beat_ms,
                status = excluded.status, beats = excluded.beats, message = excluded.message
            """, logger: logger)
    }

    /// Appends one batch's minute rollup rows to `rollup_deltas` (its hour and day rows are sums of
    /// them, added when the deltas move): no lock, no read, so batches of the same services on any
    /// replica never wait for each other. Reads add the deltas to the stored rows until
    /// ``compactRollups(nowMs:)`` moves them there.
    static func writeRollups(_ connection: PostgresConnection, _ rollups: RollupAccumulator, logger: Logger) async throws {
        let rows = rollups.rows.filter { $0.key.resolution == RollupResolution.minute.rawValue }
        guard !rows.isEmpty else { return }
        try await connection.query("""
            INSERT INTO rollup_deltas (service, resolution_ms, start_ms, up, degraded, down, latency)
            SELECT * FROM UNNEST(\(rows.map(\.key.service))::TEXT[], \(rows.map(\.key.resolution))::BIGINT[], \(rows.map(\.key.startMs))::BIGINT[],
                \(rows.map(\.value.up))::BIGINT[], \(rows.map(\.value.degraded))::BIGINT[], \(rows.map(\.value.down))::BIGINT[],
                \(rows.map { ByteBuffer(bytes: $0.value.latency.encoded) })::BYTEA[])
            """, logger: logger)
    }

    /// Moves up to `limit` rollup deltas committed so far into `rollups`, in the caller's transaction,
    /// which holds the compaction lock: the deltas are deleted and their sums merged into the stored
    /// minute rows and the hour and day rows holding them together, so a read (one statement over both
    /// tables) counts each delta exactly once. Deltas committed after the delete began are left for the
    /// next time. Returns how many it moved.
    static func moveRollupDeltas(_ connection: PostgresConnection, limit: Int, logger: Logger) async throws -> Int {
        let deleted = try await connection.query("""
            DELETE FROM rollup_deltas WHERE id IN (SELECT id FROM rollup_deltas ORDER BY id LIMIT \(Int64(limit)))
            RETURNING service, resolution_ms, start_ms, up, degraded, down, latency
            """, logger: logger)
        var moved = 0
        var sums: [RollupAccumulator.Key: ProbeCounts] = [:]
        for try await (service, resolution, start, up, degraded, down, latency) in deleted.decode((String, Int64, Int64, Int64, Int64, Int64, ByteBuffer).self) {
            let counts = probeCounts(up: up, degraded: degraded, down: down, latency: latency)
            for size in RollupResolution.allCases.map(\.rawValue) where size >= resolution {
                sums[RollupAccumulator.Key(service: service, resolution: size, startMs: RollupAccumulator.floor(start, to: size)), default: ProbeCounts()]
                    .add(counts)
            }
            moved += 1
        }
        guard !sums.isEmpty else { return 0 }
        let keys = Array(sums.keys)
        let stored = try await connection.query("""
            SELECT service, resolution_ms, start_ms, up, degraded, down, latency FROM rollups
            WHERE (service, resolution_ms, start_ms) IN (
                SELECT * FROM UNNEST(\(keys.map(\.service))::TEXT[], \(keys.map(\.resolution))::BIGINT[], \(keys.map(\.startMs))::BIGINT[]))
            """, logger: logger)
        for try await (service, resolution, start, up, degraded, down, latency) in stored.decode((String, Int64, Int64, Int64, Int64, Int64, ByteBuffer).self) {
            sums[RollupAccumulator.Key(service: service, resolution: resolution, startMs: start)]?
                .add(probeCounts(up: up, degraded: degraded, down: down, latency: latency))
        }
        try await upsertRollups(connection, sums.map { ($0.key, $0.value) }, logger: logger)
        return moved
    }

    /// Waits for the compaction lock, then moves every delta committed so far, in the caller's
    /// transaction: after it, `rollups` holds every delta committed before it began.
    static func moveAllRollupDeltas(_ connection: PostgresConnection, logger: Logger) async throws {
        try await lock(connection, .rollups, wait: true, logger: logger)
        while try await moveRollupDeltas(connection, limit: compactionChunk, logger: logger) == compactionChunk {}
    }

    /// What ingest appends for a replica to move later, each moved under an advisory lock of its own
    /// (the second key under ``lockClass``), so one replica moves it at a time.
    enum Appended: Int32 {
        /// `rollup_deltas` into `rollups`; also held by whoever else writes `rollups` (import, pruning).
        case rollups = 0
        /// `outage_change_log` into `outage_changes`.
        case outageChanges = 1
    }

    /// Takes the lock of moving `appended` rows for the caller's transaction, waiting for it (`wait`) or
    /// not; false when another transaction holds it.
    @discardableResult
    static func lock(_ connection: PostgresConnection, _ appended: Appended, wait: Bool, logger: Logger) async throws -> Bool {
        if wait {
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockClass), \(appended.rawValue))", logger: logger)
            return true
        }
        let rows = try await connection.query("SELECT pg_try_advisory_xact_lock(\(lockClass), \(appended.rawValue))", logger: logger)
        for try await locked in rows.decode(Bool.self) { return locked }
        return false
    }

    /// Moves `appended` rows with `move`, ``compactionChunk`` at a time, each chunk in its own
    /// transaction under the try-lock: when another replica is moving them, this returns 0 at once.
    func compact(_ appended: Appended, _ what: String, move: @escaping @Sendable (PostgresConnection, Logger) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let moved = try await transaction(what) { connection, logger in
                guard try await Self.lock(connection, appended, wait: false, logger: logger) else { return 0 }
                return try await move(connection, logger)
            }
            total += moved
            if moved < Self.compactionChunk { return total }
        }
    }

    /// How many appended rows one compaction transaction moves at most.
    static let compactionChunk = 20_000

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

    /// The first key of the two-part advisory locks of ``Appended`` ("VG").
    static let lockClass: Int32 = 0x5647
}
