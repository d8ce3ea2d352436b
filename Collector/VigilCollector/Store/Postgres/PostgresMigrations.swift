import Logging
import PostgresNIO

/// The PostgreSQL schema, one migration per version, applied in order and recorded in
/// `vigil_schema_migrations`. Never edit a shipped migration: add a new one.
///
/// Several collectors may start at once: migrating holds a session advisory lock, so one migrates and
/// the others wait and then find nothing left to do.
enum PostgresMigrations {
    struct Migration: Sendable {
        var version: Int64
        var name: String
        var sql: [String]
    }

    /// The advisory lock key held while migrating ("VIGILMIG").
    static let lockKey: Int64 = 0x5649_4749_4C4D_4947

    /// The newest version.
    static var latest: Int64 { all.last!.version }

    static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: [
            """
            CREATE TABLE admin_tokens (
                id BIGSERIAL PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, note TEXT NOT NULL, created_ms BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE agents (
                id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, token_hash TEXT NOT NULL UNIQUE,
                created_ms BIGINT NOT NULL, last_seen_ms BIGINT, agent_version TEXT, session_id TEXT,
                batches BIGINT NOT NULL DEFAULT 0, heartbeats BIGINT NOT NULL DEFAULT 0, dropped BIGINT NOT NULL DEFAULT 0,
                last_heartbeat_ms BIGINT
            )
            """,
            """
            CREATE TABLE checks (
                id BIGSERIAL PRIMARY KEY, agent_id BIGINT NOT NULL REFERENCES agents(id), name TEXT NOT NULL,
                local_id BIGINT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
                interval_ms BIGINT NOT NULL, timeout_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
                last_ts_ms BIGINT, last_status TEXT, last_latency_us BIGINT, last_code BIGINT, last_message TEXT,
                UNIQUE (agent_id, name)
            )
            """,
            "CREATE INDEX checks_by_service ON checks(service)",
            """
            CREATE TABLE session_checks (
                agent_id BIGINT NOT NULL, session_id TEXT NOT NULL, local_id BIGINT NOT NULL,
                check_id BIGINT NOT NULL REFERENCES checks(id), PRIMARY KEY (agent_id, session_id, local_id)
            )
            """,
            """
            CREATE TABLE state_intervals (
                check_id BIGINT NOT NULL REFERENCES checks(id), start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,
                last_beat_ms BIGINT NOT NULL, status TEXT NOT NULL, beats BIGINT NOT NULL DEFAULT 1,
                message TEXT NOT NULL DEFAULT '', PRIMARY KEY (check_id, start_ms)
            )
            """,
            "CREATE INDEX state_intervals_by_end ON state_intervals(check_id, end_ms)",
            """
            CREATE TABLE raw_batches (
                agent_id BIGINT NOT NULL REFERENCES agents(id), session_id TEXT NOT NULL, seq BIGINT NOT NULL,
                received_ms BIGINT NOT NULL, content_type TEXT NOT NULL, content_encoding TEXT NOT NULL, body BYTEA NOT NULL,
                heartbeats BIGINT NOT NULL, accepted BIGINT NOT NULL, PRIMARY KEY (agent_id, session_id, seq)
            )
            """,
            """
            CREATE TABLE rollups (
                service TEXT NOT NULL, resolution_ms BIGINT NOT NULL, start_ms BIGINT NOT NULL, up BIGINT NOT NULL,
                degraded BIGINT NOT NULL, down BIGINT NOT NULL, latency BYTEA NOT NULL,
                PRIMARY KEY (service, resolution_ms, start_ms)
            )
            """,
            """
            CREATE TABLE maintenance (
                id BIGSERIAL PRIMARY KEY, service TEXT NOT NULL, start_ms BIGINT, end_ms BIGINT, days TEXT,
                from_minute BIGINT, to_minute BIGINT, time_zone TEXT, reason TEXT NOT NULL, created_ms BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE tickets (
                id BIGSERIAL PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, requester TEXT NOT NULL,
                organisation TEXT NOT NULL, priority TEXT NOT NULL, category TEXT NOT NULL, tags TEXT NOT NULL,
                created_ms BIGINT NOT NULL, status TEXT NOT NULL, updated_ms BIGINT NOT NULL
            )
            """,
            "CREATE INDEX tickets_by_created ON tickets(created_ms)",
            """
            CREATE TABLE ticket_events (
                ticket_id BIGINT NOT NULL REFERENCES tickets(id), at_ms BIGINT NOT NULL, kind TEXT NOT NULL,
                value TEXT NOT NULL, PRIMARY KEY (ticket_id, at_ms, kind, value)
            )
            """,
            """
            CREATE TABLE alerts (
                id BIGSERIAL PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE, type TEXT NOT NULL, severity TEXT NOT NULL,
                service TEXT, occurred_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, body TEXT NOT NULL, silenced_by TEXT
            )
            """,
            "CREATE INDEX alerts_by_created ON alerts(created_ms)",
            """
            CREATE TABLE deliveries (
                alert_id BIGINT NOT NULL REFERENCES alerts(id), hook TEXT NOT NULL, delivery_id TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL,
                last_error TEXT NOT NULL DEFAULT '', finished_ms BIGINT, PRIMARY KEY (alert_id, hook)
            )
            """,
            "CREATE INDEX deliveries_due ON deliveries(state, next_attempt_ms)",
            """
            CREATE TABLE silences (
                id BIGSERIAL PRIMARY KEY, service TEXT, type TEXT, severity TEXT, start_ms BIGINT NOT NULL,
                end_ms BIGINT NOT NULL, reason TEXT NOT NULL, created_ms BIGINT NOT NULL
            )
            """,
            "CREATE TABLE alert_episodes (key TEXT PRIMARY KEY, since_ms BIGINT NOT NULL)",
        ]),
        Migration(version: 2, name: "collector replicas", sql: [
            """
            CREATE TABLE replicas (
                instance TEXT PRIMARY KEY, address TEXT NOT NULL, version TEXT NOT NULL, started_ms BIGINT NOT NULL,
                last_seen_ms BIGINT NOT NULL, leader BOOLEAN NOT NULL DEFAULT FALSE
            )
            """,
        ]),
        Migration(version: 3, name: "token scopes", sql: [
            // Operator tokens made before scopes existed were all admin tokens.
            "ALTER TABLE admin_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin'",
        ]),
        Migration(version: 4, name: "agent clocks", sql: [
            // Each agent's clock as the collector sees it (issue 18).
            "ALTER TABLE agents ADD COLUMN clock_offset_ms BIGINT",
            "ALTER TABLE agents ADD COLUMN clock_adjust_ms BIGINT",
        ]),
        Migration(version: 5, name: "raw batch minutes", sql: [
            // Exact counts over partial minutes read raw batches back (issue 18).
            "ALTER TABLE raw_batches ADD COLUMN oldest_accepted_ms BIGINT",
            "ALTER TABLE raw_batches ADD COLUMN newest_accepted_ms BIGINT",
            "ALTER TABLE raw_batches ADD COLUMN minutes_indexed BOOLEAN NOT NULL DEFAULT false",
            """
            CREATE TABLE raw_batch_minutes (
                minute_ms BIGINT NOT NULL, agent_id BIGINT NOT NULL, session_id TEXT NOT NULL, seq BIGINT NOT NULL,
                PRIMARY KEY (minute_ms, agent_id, session_id, seq)
            )
            """,
            "CREATE INDEX raw_batches_unindexed ON raw_batches (agent_id, session_id, seq) WHERE NOT minutes_indexed",
        ]),
        Migration(version: 6, name: "agent scopes", sql: [
            // Which services an agent may report (issue 19), and the checks refused for it per raw batch.
            "ALTER TABLE agents ADD COLUMN service_scope TEXT",
            "ALTER TABLE raw_batches ADD COLUMN refused_checks TEXT",
        ]),
        Migration(version: 7, name: "stored outages", sql: [
            // Outages as stored facts and the change feed every replica's ingest writes (issue 20); every
            // known service is derived once over its whole history, marked as history (only outages
            // still going on raise alerts then).
            """
            CREATE TABLE outages (
                service TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, ongoing BOOLEAN NOT NULL,
                detected_ms BIGINT, locations TEXT NOT NULL, first_message TEXT NOT NULL, in_maintenance BOOLEAN NOT NULL,
                PRIMARY KEY (service, start_ms)
            )
            """,
            "CREATE INDEX outages_end ON outages (end_ms)",
            "CREATE INDEX outages_ongoing ON outages (ongoing) WHERE ongoing",
            """
            CREATE TABLE outage_changes (
                service TEXT PRIMARY KEY, from_ms BIGINT NOT NULL, seq BIGINT NOT NULL, marked_ms BIGINT NOT NULL
            )
            """,
            """
            INSERT INTO outage_changes (service, from_ms, seq, marked_ms)
            SELECT DISTINCT service, -4611686018427387904, 1, 2305843009213693952 FROM checks
            """,
        ]),
        // The alert pass reads the tickets changed since its last pass, not every open one.
        Migration(version: 8, name: "ticket updates", sql: ["CREATE INDEX tickets_by_updated ON tickets (updated_ms)"]),
        // Every batch appends its minute rollup rows here instead of merging minute, hour and day rows
        // into `rollups` under a lock per service; ``PostgresStore/compactRollups(nowMs:)`` moves them
        // there once a second (issue 20: replicas ingesting the same services queued behind each other's
        // locks).
        Migration(version: 9, name: "rollup deltas", sql: [
            """
            CREATE TABLE rollup_deltas (
                id BIGSERIAL PRIMARY KEY, service TEXT NOT NULL, resolution_ms BIGINT NOT NULL, start_ms BIGINT NOT NULL,
                up BIGINT NOT NULL, degraded BIGINT NOT NULL, down BIGINT NOT NULL, latency BYTEA NOT NULL
            )
            """,
            "CREATE INDEX rollup_deltas_by_span ON rollup_deltas (resolution_ms, start_ms, service)",
        ]),
        // Ingest appends its outage changes here instead of upserting the one `outage_changes` row of each
        // service, which every batch of that service on every replica waited for until the holder
        // committed (issue 20: the largest wait of two collectors); reading the feed merges them first.
        Migration(version: 10, name: "outage change log", sql: [
            """
            CREATE TABLE outage_change_log (
                id BIGSERIAL PRIMARY KEY, service TEXT NOT NULL, from_ms BIGINT NOT NULL, marked_ms BIGINT NOT NULL
            )
            """,
        ]),
        // A derivation that changes came in behind moves the feed's start to the earliest of them
        // (``OutageChange``): under a steady stream of changes the row was never cleared and
        // every pass derived again from the first change.
        Migration(version: 11, name: "outage change start", sql: [
            "ALTER TABLE outage_changes ADD COLUMN recent_from_ms BIGINT, ADD COLUMN recent_since_seq BIGINT NOT NULL DEFAULT 0",
            "UPDATE outage_changes SET recent_since_seq = seq",
        ]),
    ]

    /// The versions applied so far (none on an empty database).
    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> Set<Int64> {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS vigil_schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var versions: Set<Int64> = []
        for try await version in try await connection.query("SELECT version FROM vigil_schema_migrations", logger: logger).decode(Int64.self) {
            versions.insert(version)
        }
        return versions
    }

    /// Applies every migration up to `target` (default: all) not applied yet, each in its own
    /// transaction; returns the versions it applied.
    @discardableResult
    static func migrate(_ connection: PostgresConnection, upTo target: Int64 = latest, logger: Logger) async throws -> [Int64] {
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            let done = try await applied(connection, logger: logger)
            if let newest = done.max(), newest > latest {
                throw StoreError(.unavailable, "the database has schema version \(newest), newer than this collector knows (\(latest)): upgrade the collector")
            }
            var ran: [Int64] = []
            for migration in all where migration.version <= target && !done.contains(migration.version) {
                try await connection.query("BEGIN", logger: logger)
                do {
                    for statement in migration.sql {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO vigil_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw StoreError(.unavailable, "PostgreSQL migration \(migration.version) (\(migration.name)) failed: \(describePostgresError(error))")
                }
                ran.append(migration.version)
                logger.notice("applied PostgreSQL migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            return ran
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
    }
}
