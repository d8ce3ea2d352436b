import GRDB

extension SQLiteStore {
    /// The schema, one migration per version. Never edit a shipped migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE admin_tokens (
                    id INTEGER PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    note TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                CREATE TABLE agents (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_ms INTEGER NOT NULL,
                    last_seen_ms INTEGER,
                    agent_version TEXT,
                    session_id TEXT,
                    batches INTEGER NOT NULL DEFAULT 0,
                    heartbeats INTEGER NOT NULL DEFAULT 0,
                    dropped INTEGER NOT NULL DEFAULT 0,
                    last_heartbeat_ms INTEGER
                );
                CREATE TABLE checks (
                    id INTEGER PRIMARY KEY,
                    agent_id INTEGER NOT NULL REFERENCES agents(id),
                    name TEXT NOT NULL,
                    local_id INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    target TEXT NOT NULL,
                    interval_ms INTEGER NOT NULL,
                    timeout_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    last_ts_ms INTEGER,
                    last_status TEXT,
                    last_latency_us INTEGER,
                    last_code INTEGER,
                    last_message TEXT,
                    UNIQUE (agent_id, name)
                );
                CREATE INDEX checks_by_service ON checks(service);
                CREATE TABLE session_checks (
                    agent_id INTEGER NOT NULL,
                    session_id TEXT NOT NULL,
                    local_id INTEGER NOT NULL,
                    check_id INTEGER NOT NULL REFERENCES checks(id),
                    PRIMARY KEY (agent_id, session_id, local_id)
                ) WITHOUT ROWID;
                CREATE TABLE state_intervals (
                    check_id INTEGER NOT NULL REFERENCES checks(id),
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    last_beat_ms INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    PRIMARY KEY (check_id, start_ms)
                ) WITHOUT ROWID;
                CREATE INDEX state_intervals_by_end ON state_intervals(check_id, end_ms);
                CREATE TABLE raw_batches (
                    agent_id INTEGER NOT NULL REFERENCES agents(id),
                    session_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    received_ms INTEGER NOT NULL,
                    content_type TEXT NOT NULL,
                    content_encoding TEXT NOT NULL,
                    body BLOB NOT NULL,
                    heartbeats INTEGER NOT NULL,
                    accepted INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, session_id, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE state_intervals ADD COLUMN beats INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE state_intervals ADD COLUMN message TEXT NOT NULL DEFAULT '';
                CREATE TABLE rollups (
                    service TEXT NOT NULL,
                    resolution_ms INTEGER NOT NULL,
                    start_ms INTEGER NOT NULL,
                    up INTEGER NOT NULL,
                    degraded INTEGER NOT NULL,
                    down INTEGER NOT NULL,
                    latency BLOB NOT NULL,
                    PRIMARY KEY (service, resolution_ms, start_ms)
                ) WITHOUT ROWID;
                CREATE TABLE maintenance (
                    id INTEGER PRIMARY KEY,
                    service TEXT NOT NULL,
                    start_ms INTEGER,
                    end_ms INTEGER,
                    days TEXT,
                    from_minute INTEGER,
                    to_minute INTEGER,
                    time_zone TEXT,
                    reason TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE tickets (
                    id INTEGER PRIMARY KEY,
                    external_id TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    requester TEXT NOT NULL,
                    organisation TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    category TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX tickets_by_created ON tickets(created_ms);
                CREATE INDEX tickets_by_status ON tickets(status);
                CREATE TABLE ticket_events (
                    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                    at_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (ticket_id, at_ms, kind, value)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    service TEXT,
                    occurred_ms INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE INDEX alerts_by_created ON alerts(created_ms);
                CREATE TABLE deliveries (
                    alert_id INTEGER NOT NULL REFERENCES alerts(id),
                    hook TEXT NOT NULL,
                    delivery_id TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_ms INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    finished_ms INTEGER,
                    PRIMARY KEY (alert_id, hook)
                ) WITHOUT ROWID;
                CREATE INDEX deliveries_due ON deliveries(state, next_attempt_ms);
                """)
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                ALTER TABLE alerts ADD COLUMN silenced_by TEXT;
                CREATE TABLE silences (
                    id INTEGER PRIMARY KEY,
                    service TEXT,
                    type TEXT,
                    severity TEXT,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v6") { db in
            try db.execute(sql: "CREATE TABLE alert_episodes (key TEXT PRIMARY KEY, since_ms INTEGER NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration("v7") { db in
            try db.execute(sql: """
                CREATE TABLE replicas (
                    instance TEXT PRIMARY KEY, address TEXT NOT NULL, version TEXT NOT NULL, started_ms INTEGER NOT NULL,
                    last_seen_ms INTEGER NOT NULL, leader INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v8") { db in
            // Operator tokens get a scope; the ones made before scopes existed were all admin tokens.
            try db.execute(sql: "ALTER TABLE admin_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin'")
        }
        migrator.registerMigration("v9") { db in
            // Each agent's clock as the collector sees it (issue 18).
            try db.execute(sql: """
                ALTER TABLE agents ADD COLUMN clock_offset_ms INTEGER;
                ALTER TABLE agents ADD COLUMN clock_adjust_ms INTEGER;
                """)
        }
        migrator.registerMigration("v10") { db in
            // Exact counts over partial minutes read raw batches back (issue 18): each batch is indexed
            // under the minutes its accepted heartbeats fall in, with the bounds it was accepted within.
            // Batches stored before stay unindexed (minutes_indexed = 0) until the store indexes them.
            try db.execute(sql: """
                ALTER TABLE raw_batches ADD COLUMN oldest_accepted_ms INTEGER;
                ALTER TABLE raw_batches ADD COLUMN newest_accepted_ms INTEGER;
                ALTER TABLE raw_batches ADD COLUMN minutes_indexed INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE raw_batch_minutes (
                    minute_ms INTEGER NOT NULL,
                    agent_id INTEGER NOT NULL,
                    session_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (minute_ms, agent_id, session_id, seq)
                ) WITHOUT ROWID;
                CREATE INDEX raw_batches_unindexed ON raw_batches(agent_id, session_id, seq) WHERE minutes_indexed = 0;
                """)
        }
        migrator.registerMigration("v11") { db in
            // Which services an agent may report (issue 19): its scope (NULL: any), and per raw batch the
            // check ids whose heartbeats were refused for it, so reading the batch back leaves them out.
            try db.execute(sql: """
                ALTER TABLE agents ADD COLUMN service_scope TEXT;
                ALTER TABLE raw_batches ADD COLUMN refused_checks TEXT;
                """)
        }
        migrator.registerMigration("v12") { db in
            // Outages as stored facts, and the change feed that says which services to derive again
            // (issue 20). Every service known so far is derived once over its whole history, marked as
            // history (OutageChange.historyMarkMs): only outages still going on raise alerts then.
            try db.execute(sql: """
                CREATE TABLE outages (
                    service TEXT NOT NULL,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    ongoing INTEGER NOT NULL,
                    detected_ms INTEGER,
                    locations TEXT NOT NULL,
                    first_message TEXT NOT NULL,
                    in_maintenance INTEGER NOT NULL,
                    PRIMARY KEY (service, start_ms)
                ) WITHOUT ROWID;
                CREATE INDEX outages_end ON outages(end_ms);
                CREATE INDEX outages_ongoing ON outages(ongoing) WHERE ongoing = 1;
                CREATE TABLE outage_changes (
                    service TEXT PRIMARY KEY,
                    from_ms INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    marked_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO outage_changes (service, from_ms, seq, marked_ms)
                    SELECT DISTINCT service, -4611686018427387904, 1, 2305843009213693952 FROM checks;
                """)
        }
        migrator.registerMigration("v13") { db in
            // The alert pass reads the tickets changed since its last pass, not every open one (issue 20).
            try db.execute(sql: "CREATE INDEX tickets_by_updated ON tickets(updated_ms)")
        }
        migrator.registerMigration("v14") { db in
            // Hour and day rollups are summed from minute rows once a minute instead of on every batch
            // (issue 20): they hold every minute before `folded_before_ms`. Rows stored so far were written
            // to all three at once, so the instant starts after the newest minute row.
            try db.execute(sql: """
                CREATE TABLE rollup_fold (id INTEGER PRIMARY KEY CHECK (id = 1), folded_before_ms INTEGER NOT NULL);
                INSERT INTO rollup_fold (id, folded_before_ms)
                    SELECT 1, COALESCE(MAX(start_ms) + 60000, -9223372036854775808) FROM rollups WHERE resolution_ms = 60000;
                """)
        }
        migrator.registerMigration("v15") { db in
            // Checks' newest heartbeats and minute rollups are written behind the batches (issue 20,
            // ``WriteBehind``): the journal names, in commit order, the stored raw batches whose share of
            // them may not be written yet; a replay starts at `rollups_from` for rollups and at
            // `latest_from` for heartbeats.
            try db.execute(sql: """
                CREATE TABLE deferred_batches (
                    ordinal INTEGER PRIMARY KEY,
                    agent_id INTEGER NOT NULL,
                    session_id TEXT NOT NULL,
                    seq INTEGER NOT NULL
                );
                CREATE TABLE deferred_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    rollups_from INTEGER NOT NULL,
                    latest_from INTEGER NOT NULL
                );
                INSERT INTO deferred_state (id, rollups_from, latest_from) VALUES (1, 0, 0);
                """)
        }
        migrator.registerMigration("v16") { db in
            // A derivation that changes came in behind moves the feed's start to the earliest of them
            // (``OutageChange``): under a steady stream of changes the row was never cleared
            // and every pass derived again from the first change (issue 20).
            try db.execute(sql: """
                ALTER TABLE outage_changes ADD COLUMN recent_from_ms INTEGER;
                ALTER TABLE outage_changes ADD COLUMN recent_since_seq INTEGER NOT NULL DEFAULT 0;
                UPDATE outage_changes SET recent_since_seq = seq;
                """)
        }
        return migrator
    }
}
