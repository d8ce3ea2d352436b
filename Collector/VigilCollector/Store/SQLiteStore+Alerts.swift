import GRDB
import VigilCore

extension SQLiteStore {
    public func enqueueAlert(_ alert: StoredAlert, hooks: [String], nowMs: Int64) async throws -> Int64? {
        try await writing { db in try Self.insertAlert(db, alert, hooks: hooks, nowMs: nowMs) }
    }

    /// Stores an alert once per dedupe key with a pending delivery per hook (none when silenced), in the
    /// caller's transaction; `nil` when the key is known.
    static func insertAlert(_ db: Database, _ alert: StoredAlert, hooks: [String], nowMs: Int64) throws -> Int64? {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO alerts (dedupe_key, type, severity, service, occurred_ms, created_ms, body, silenced_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [alert.dedupeKey, alert.type, alert.severity, alert.service, alert.occurredMs, nowMs, alert.body, alert.silencedBy])
        guard db.changesCount > 0 else { return nil }
        let id = db.lastInsertedRowID
        for hook in hooks where alert.silencedBy == nil {
            try db.cachedStatement(sql: "INSERT INTO deliveries (alert_id, hook, delivery_id, state, next_attempt_ms) VALUES (?, ?, ?, 'pending', ?)")
                .execute(arguments: [id, hook, "\(id)-\(hook)", nowMs])
        }
        return id
    }

    public func hasAlert(dedupeKey: String) async throws -> Bool {
        try await reading { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM alerts WHERE dedupe_key = ?", arguments: [dedupeKey]) ?? false
        }
    }

    public func alertState(dedupeKey: String) async throws -> StoredAlert? {
        try await reading { db in
            try Row.fetchOne(
                db, sql: "SELECT dedupe_key, type, severity, service, occurred_ms, body, silenced_by FROM alerts WHERE dedupe_key = ?",
                arguments: [dedupeKey]
            ).map { row in
                StoredAlert(dedupeKey: row[0], type: row[1], severity: row[2], service: row[3], occurredMs: row[4], body: row[5], silencedBy: row[6])
            }
        }
    }

    public func dueDeliveries(nowMs: Int64, limit: Int) async throws -> [PendingDelivery] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT deliveries.alert_id, deliveries.hook, deliveries.delivery_id, deliveries.attempts, alerts.created_ms, alerts.body
                    FROM deliveries JOIN alerts ON alerts.id = deliveries.alert_id
                    WHERE deliveries.state = 'pending' AND deliveries.next_attempt_ms <= ?
                    ORDER BY deliveries.next_attempt_ms, deliveries.alert_id LIMIT ?
                    """,
                arguments: [nowMs, limit]
            ).map { row in
                PendingDelivery(alertID: row[0], hook: row[1], deliveryID: row[2], attempts: row[3], alertCreatedMs: row[4], body: row[5])
            }
        }
    }

    public func recordAttempt(alertID: Int64, hook: String, state: DeliveryState, error: String, nextAttemptMs: Int64, nowMs: Int64) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_ms = ?,
                        finished_ms = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
                    WHERE alert_id = ? AND hook = ?
                    """,
                arguments: [state.rawValue, error, nextAttemptMs, state.rawValue, nowMs, alertID, hook]
            )
        }
    }

    public func alerts(sinceMs: Int64, limit: Int, before: AlertPosition?) async throws -> [AlertRecord] {
        try await reading { db in
            var records = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, dedupe_key, type, severity, service, occurred_ms, body, created_ms, silenced_by FROM alerts
                    WHERE created_ms >= ? AND (? OR created_ms < ? OR (created_ms = ? AND id < ?))
                    ORDER BY created_ms DESC, id DESC LIMIT ?
                    """,
                arguments: [sinceMs, before == nil, before?.createdMs ?? 0, before?.createdMs ?? 0, before?.id ?? 0, limit]
            ).map { row in
                AlertRecord(
                    id: row[0],
                    alert: StoredAlert(
                        dedupeKey: row[1], type: row[2], severity: row[3], service: row[4], occurredMs: row[5], body: row[6], silencedBy: row[8]
                    ),
                    createdMs: row[7], deliveries: []
                )
            }
            for index in records.indices {
                records[index].deliveries = try Row.fetchAll(
                    db,
                    sql: "SELECT hook, delivery_id, state, attempts, last_error, finished_ms FROM deliveries WHERE alert_id = ? ORDER BY hook",
                    arguments: [records[index].id]
                ).map { row in
                    AlertRecord.Delivery(
                        hook: row[0], deliveryID: row[1], state: DeliveryState(rawValue: row[2]) ?? .pending, attempts: row[3],
                        lastError: row[4], finishedMs: row[5]
                    )
                }
            }
            return records
        }
    }
}

extension SQLiteStore {
    public func silences(activeAfter nowMs: Int64) async throws -> [Silence] {
        try await reading { db in
            try Row.fetchAll(
                db, sql: "SELECT id, service, type, severity, start_ms, end_ms, reason, created_ms FROM silences WHERE end_ms > ? ORDER BY start_ms, id",
                arguments: [nowMs]
            ).map { row in
                Silence(
                    id: row[0], service: row[1], type: row[2], severity: row[3], range: TimeRange(startMs: row[4], endMs: row[5]),
                    reason: row[6], createdMs: row[7]
                )
            }
        }
    }

    public func addSilence(_ silence: Silence) async throws -> Silence {
        try await writing { db in
            try db.execute(
                sql: "INSERT INTO silences (service, type, severity, start_ms, end_ms, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [silence.service, silence.type, silence.severity, silence.range.startMs, silence.range.endMs, silence.reason, silence.createdMs]
            )
            var stored = silence
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func removeSilence(id: Int64) async throws {
        try await writing { db in
            try db.execute(sql: "DELETE FROM silences WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no silence with id \(id)") }
        }
    }
}

extension SQLiteStore {
    public func alertEpisode(key: String) async throws -> Int64? {
        try await reading { db in try Int64.fetchOne(db, sql: "SELECT since_ms FROM alert_episodes WHERE key = ?", arguments: [key]) }
    }

    public func setAlertEpisode(key: String, sinceMs: Int64?) async throws {
        try await writing { db in
            if let sinceMs {
                try db.execute(sql: "INSERT OR REPLACE INTO alert_episodes (key, since_ms) VALUES (?, ?)", arguments: [key, sinceMs])
            } else {
                try db.execute(sql: "DELETE FROM alert_episodes WHERE key = ?", arguments: [key])
            }
        }
    }
}
