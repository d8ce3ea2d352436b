import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    public func enqueueAlert(_ alert: StoredAlert, hooks: [String], nowMs: Int64) async throws -> Int64? {
        try await transaction("storing an alert") { connection, logger in
            try await Self.insertAlert(connection, alert, hooks: hooks, nowMs: nowMs, logger: logger)
        }
    }

    /// Stores an alert once per dedupe key with a pending delivery per hook (none when silenced), in the
    /// caller's transaction; `nil` when the key is known.
    static func insertAlert(_ connection: PostgresConnection, _ alert: StoredAlert, hooks: [String], nowMs: Int64, logger: Logger) async throws -> Int64? {
        let rows = try await connection.query("""
            INSERT INTO alerts (dedupe_key, type, severity, service, occurred_ms, created_ms, body, silenced_by)
            VALUES (\(alert.dedupeKey), \(alert.type), \(alert.severity), \(alert.service), \(alert.occurredMs), \(nowMs),
                \(alert.body), \(alert.silencedBy))
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """, logger: logger).collect()
        guard let row = rows.first else { return nil }
        let id = try row.decode(Int64.self)
        let routed = alert.silencedBy == nil ? hooks : []
        if !routed.isEmpty {
            try await connection.query("""
                INSERT INTO deliveries (alert_id, hook, delivery_id, state, next_attempt_ms)
                SELECT \(id), hook, \(id) || '-' || hook, 'pending', \(nowMs) FROM UNNEST(\(routed)::TEXT[]) AS hook
                """, logger: logger)
        }
        return id
    }

    public func hasAlert(dedupeKey: String) async throws -> Bool {
        try await alertState(dedupeKey: dedupeKey) != nil
    }

    public func alertState(dedupeKey: String) async throws -> StoredAlert? {
        try await fetch("reading an alert", """
            SELECT dedupe_key, type, severity, service, occurred_ms, body, silenced_by FROM alerts WHERE dedupe_key = \(dedupeKey)
            """, as: StoredAlert.self) { row in
            let (key, type, severity, service, occurred, body, silencedBy) = try row.decode(
                (String, String, String, String?, Int64, String, String?).self
            )
            return StoredAlert(dedupeKey: key, type: type, severity: severity, service: service, occurredMs: occurred, body: body, silencedBy: silencedBy)
        }.first
    }

    public func dueDeliveries(nowMs: Int64, limit: Int) async throws -> [PendingDelivery] {
        try await fetch("reading due deliveries", """
            SELECT deliveries.alert_id, deliveries.hook, deliveries.delivery_id, deliveries.attempts, alerts.created_ms, alerts.body
            FROM deliveries JOIN alerts ON alerts.id = deliveries.alert_id
            WHERE deliveries.state = 'pending' AND deliveries.next_attempt_ms <= \(nowMs)
            ORDER BY deliveries.next_attempt_ms, deliveries.alert_id LIMIT \(Int64(limit))
            """, as: PendingDelivery.self) { row in
            let (alertID, hook, deliveryID, attempts, created, body) = try row.decode((Int64, String, String, Int64, Int64, String).self)
            return PendingDelivery(alertID: alertID, hook: hook, deliveryID: deliveryID, attempts: Int(attempts), alertCreatedMs: created, body: body)
        }
    }

    public func recordAttempt(alertID: Int64, hook: String, state: DeliveryState, error: String, nextAttemptMs: Int64, nowMs: Int64) async throws {
        let finished: Int64? = state == .pending ? nil : nowMs
        _ = try await change("recording a delivery attempt", """
            UPDATE deliveries SET state = \(state.rawValue), attempts = attempts + 1, last_error = \(error),
                next_attempt_ms = \(nextAttemptMs), finished_ms = \(finished)
            WHERE alert_id = \(alertID) AND hook = \(hook)
            """)
    }

    public func alerts(sinceMs: Int64, limit: Int, before: AlertPosition?) async throws -> [AlertRecord] {
        try await withConnection("reading alerts") { connection, logger in
            var records: [AlertRecord] = []
            var index: [Int64: Int] = [:]
            let all = before == nil
            let beforeMs = before?.createdMs ?? 0
            let beforeID = before?.id ?? 0
            let rows = try await connection.query("""
                SELECT id, dedupe_key, type, severity, service, occurred_ms, body, created_ms, silenced_by FROM alerts
                WHERE created_ms >= \(sinceMs) AND (\(all) OR created_ms < \(beforeMs) OR (created_ms = \(beforeMs) AND id < \(beforeID)))
                ORDER BY created_ms DESC, id DESC LIMIT \(Int64(limit))
                """, logger: logger)
            for try await (id, key, type, severity, service, occurred, body, created, silencedBy) in rows.decode(
                (Int64, String, String, String, String?, Int64, String, Int64, String?).self
            ) {
                index[id] = records.count
                records.append(AlertRecord(
                    id: id,
                    alert: StoredAlert(dedupeKey: key, type: type, severity: severity, service: service, occurredMs: occurred, body: body, silencedBy: silencedBy),
                    createdMs: created, deliveries: []
                ))
            }
            guard !records.isEmpty else { return [] }
            let deliveries = try await connection.query("""
                SELECT alert_id, hook, delivery_id, state, attempts, last_error, finished_ms FROM deliveries
                WHERE alert_id = ANY(\(Array(index.keys))) ORDER BY alert_id, hook
                """, logger: logger)
            for try await (alertID, hook, deliveryID, state, attempts, lastError, finished) in deliveries.decode(
                (Int64, String, String, String, Int64, String, Int64?).self
            ) {
                guard let position = index[alertID] else { continue }
                records[position].deliveries.append(AlertRecord.Delivery(
                    hook: hook, deliveryID: deliveryID, state: DeliveryState(rawValue: state) ?? .pending, attempts: Int(attempts),
                    lastError: lastError, finishedMs: finished
                ))
            }
            return records
        }
    }

    // MARK: Episodes

    public func alertEpisode(key: String) async throws -> Int64? {
        try await fetch("reading an alert episode", "SELECT since_ms FROM alert_episodes WHERE key = \(key)", as: Int64.self) {
            try $0.decode(Int64.self)
        }.first
    }

    public func setAlertEpisode(key: String, sinceMs: Int64?) async throws {
        if let sinceMs {
            _ = try await change("starting an alert episode", """
                INSERT INTO alert_episodes (key, since_ms) VALUES (\(key), \(sinceMs))
                ON CONFLICT (key) DO UPDATE SET since_ms = excluded.since_ms
                """)
        } else {
            _ = try await change("ending an alert episode", "DELETE FROM alert_episodes WHERE key = \(key)")
        }
    }

    // MARK: Silences

    public func silences(activeAfter nowMs: Int64) async throws -> [Silence] {
        try await fetch("reading silences", """
            SELECT id, service, type, severity, start_ms, end_ms, reason, created_ms FROM silences WHERE end_ms > \(nowMs) ORDER BY start_ms, id
            """, as: Silence.self) { row in
            let (id, service, type, severity, start, end, reason, created) = try row.decode(
                (Int64, String?, String?, String?, Int64, Int64, String, Int64).self
            )
            return Silence(
                id: id, service: service, type: type, severity: severity, range: TimeRange(startMs: start, endMs: end), reason: reason,
                createdMs: created
            )
        }
    }

    public func addSilence(_ silence: Silence) async throws -> Silence {
        let id = try await insertReturningID("adding a silence", """
            INSERT INTO silences (service, type, severity, start_ms, end_ms, reason, created_ms)
            VALUES (\(silence.service), \(silence.type), \(silence.severity), \(silence.range.startMs), \(silence.range.endMs),
                \(silence.reason), \(silence.createdMs))
            RETURNING id
            """)
        var stored = silence
        stored.id = id
        return stored
    }

    public func removeSilence(id: Int64) async throws {
        if try await change("removing a silence", "DELETE FROM silences WHERE id = \(id)") == 0 {
            throw StoreError(.notFound, "no silence with id \(id)")
        }
    }
}
