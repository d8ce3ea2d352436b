import Foundation
import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    /// The change feed, after merging the changes ingest appended so far (``mergeOutageChanges(_:limit:logger:)``):
    /// waits for a merge another replica is making, so what the log held before this call is in the rows read.
    public func outageChanges(deriving: Bool) async throws -> [OutageChange] {
        let changes = try await transaction("reading the outage change feed") { connection, logger in
            try await Self.lock(connection, .outageChanges, wait: true, logger: logger)
            while try await Self.mergeOutageChanges(connection, limit: Self.compactionChunk, logger: logger) == Self.compactionChunk {}
            var changes: [OutageChange] = []
            for try await (service, from, seq, marked) in try await connection.query(
                "SELECT service, from_ms, seq, marked_ms FROM outage_changes ORDER BY service", logger: logger
            ).decode((String, Int64, Int64, Int64).self) {
                changes.append(OutageChange(service: service, fromMs: from, seq: seq, markedMs: marked))
            }
            return changes
        }
        // This replica's own batches record their changes while the pass derives (``OutageFeed/beginDeriving(_:)``).
        if deriving { outageFeed.beginDeriving(changes.map(\.service)) }
        return changes
    }

    public func markOutagesChanged(services: [String], fromMs: Int64, nowMs: Int64) async throws {
        let changes = Dictionary(services.map { ($0, fromMs) }, uniquingKeysWith: min)
        try await transaction("recording outage changes") { connection, logger in
            try await Self.markChanged(connection, changes, nowMs: nowMs, logger: logger)
        }
        outageFeed.raiseChanged()
    }

    /// Moves the outage changes committed to `outage_change_log` so far into the feed's rows (up to
    /// ``compactionChunk`` of them), so the feed does not grow while nothing reads it; a replica merging
    /// already makes this a no-op. Returns how many it moved.
    public func compactOutageChanges() async throws -> Int {
        try await compact(.outageChanges, "merging outage changes") { connection, logger in
            try await Self.mergeOutageChanges(connection, limit: Self.compactionChunk, logger: logger)
        }
    }

    /// Records changes in the caller's transaction by appending them to `outage_change_log`: no row is
    /// shared with another batch, so batches of the same services on any replica never wait for each
    /// other here. Reading the feed merges them (``mergeOutageChanges(_:limit:logger:)``).
    static func markChanged(_ connection: PostgresConnection, _ changes: [String: Int64], nowMs: Int64, logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        let services = changes.keys.sorted()
        // The notification goes out when the transaction commits (PostgreSQL holds it until then and
        // drops it on a rollback), in the same round trip as the rows.
        try await connection.query("""
            WITH marked AS (
                INSERT INTO outage_change_log (service, from_ms, marked_ms)
                SELECT s, f, \(nowMs) FROM UNNEST(\(services)::TEXT[], \(services.map { changes[$0]! })::BIGINT[]) AS c(s, f)
            )
            SELECT pg_notify(\(changeChannel), '')
            """, logger: logger)
    }

    /// Moves up to `limit` logged changes, oldest first, into `outage_changes`, in the caller's
    /// transaction (which holds the merge lock): per service the earliest change is kept, its sequence
    /// bumped (so a derivation that read it before does not clear it) and the time of the oldest change
    /// not yet derived stays, as ingest did before the log. The log rows are deleted by the same
    /// statement, so each change is merged exactly once. Returns how many rows it moved.
    static func mergeOutageChanges(_ connection: PostgresConnection, limit: Int, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            WITH moved AS (
                DELETE FROM outage_change_log WHERE id IN (SELECT id FROM outage_change_log ORDER BY id LIMIT \(Int64(limit)))
                RETURNING service, from_ms, marked_ms
            ), merged AS (
                INSERT INTO outage_changes (service, from_ms, seq, marked_ms, recent_since_seq)
                SELECT service, MIN(from_ms), 1, MIN(marked_ms), 1 FROM moved GROUP BY service ORDER BY service
                ON CONFLICT (service) DO UPDATE SET from_ms = LEAST(outage_changes.from_ms, excluded.from_ms), seq = outage_changes.seq + 1,
                    recent_from_ms = LEAST(outage_changes.recent_from_ms, excluded.from_ms)
            )
            SELECT COUNT(*) FROM moved
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// The channel a transaction that records outage changes notifies on commit.
    static let changeChannel = "vigil_outage_changes"

    /// How long following the changes waits before it connects again after losing its connection; the
    /// wait doubles while connecting keeps failing, up to ``followRetryMaxMs``.
    static let followRetryMs: Int64 = 1_000
    static let followRetryMaxMs: Int64 = 30_000

    /// Listens on ``changeChannel`` on a connection of its own (held as long as the collector runs, so
    /// not one of the pool's) and raises the feed's flag on every notification, and once each time it
    /// (re)connects, for what was committed while it was away. A lost connection is logged and opened
    /// again after ``followRetryMs`` (longer while the server stays away); the tracker's poll covers the gap.
    public func followOutageChanges() async throws {
        let feed = outageFeed
        var retryMs = Self.followRetryMs
        while !Task.isCancelled {
            do {
                let connection = try await settings.connect(logger: logger)
                retryMs = Self.followRetryMs
                do {
                    try await connection.listen(on: Self.changeChannel) { notifications in
                        feed.raiseChanged()
                        for try await _ in notifications { feed.raiseChanged() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("following outage changes failed; listening again shortly", metadata: [
                    "error": "\(describePostgresError(error))", "retry_ms": "\(retryMs)",
                ])
            }
            try await Task.sleep(for: .milliseconds(retryMs))
            retryMs = min(retryMs * 2, Self.followRetryMaxMs)
        }
    }

    /// Stands for "not detected" in an array of detection times (arrays of optionals do not bind).
    static let noDetection = Int64.min

    static let outageColumns = "service, start_ms, end_ms, ongoing, detected_ms, locations, first_message, in_maintenance"

    static func outage(_ row: PostgresRow) throws -> Outage {
        let (service, start, end, ongoing, detected, locations, message, maintenance) = try row.decode(
            (String, Int64, Int64, Bool, Int64?, String, String, Bool).self
        )
        return Outage(
            service: service, range: TimeRange(startMs: start, endMs: end), ongoing: ongoing, locations: SQLiteStore.locations(locations),
            firstMessage: message, detectedAtMs: detected, inMaintenance: maintenance, eligibleDownMs: 0
        )
    }

    public func storedOutages(service: String?, overlapping range: TimeRange) async throws -> [Outage] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.outageColumns) FROM outages")
        query.sql += " WHERE end_ms > $1 AND start_ms < $2"
        query.binds.append(range.startMs)
        query.binds.append(range.endMs)
        if let service {
            query.sql += " AND service = $3"
            query.binds.append(service)
        }
        query.sql += " ORDER BY start_ms, service"
        return try await fetch("reading outages", query, as: Outage.self, decode: Self.outage)
    }

    public func ongoingOutages() async throws -> [Outage] {
        try await fetch(
            "reading ongoing outages", PostgresQuery(unsafeSQL: "SELECT \(Self.outageColumns) FROM outages WHERE ongoing ORDER BY start_ms, service"),
            as: Outage.self, decode: Self.outage
        )
    }

    public func latestOutageEnds() async throws -> [String: Int64] {
        try await withConnection("reading outage ends") { connection, logger in try await Self.latestEnds(connection, logger: logger) }
    }

    static func latestEnds(_ connection: PostgresConnection, logger: Logger) async throws -> [String: Int64] {
        var ends: [String: Int64] = [:]
        let rows = try await connection.query("SELECT service, MAX(end_ms) FROM outages GROUP BY service", logger: logger)
        for try await (service, end) in rows.decode((String, Int64).self) { ends[service] = end }
        return ends
    }

    public func applyOutageWrites(_ writes: [OutageWrite], nowMs: Int64) async throws -> [StoredAlert] {
        guard !writes.isEmpty else { return [] }
        let (stored, latest) = try await transaction("storing outages") { connection, logger -> ([StoredAlert], [String: Int64?]) in
            var stored: [StoredAlert] = []
            var latest: [String: Int64?] = [:]
            for write in writes {
                stored += try await Self.apply(connection, write, nowMs: nowMs, logger: logger)
                let rows = try await connection.query("SELECT MAX(end_ms) FROM outages WHERE service = \(write.service)", logger: logger).collect()
                latest[write.service] = try rows.first?.decode(Int64?.self) ?? nil
            }
            return (stored, latest)
        }
        for (service, end) in latest { outageFeed.record(service: service, latestEndMs: end) }
        if !stored.isEmpty { outageFeed.raiseAlerted() }
        return stored
    }

    /// One service's write, in the caller's transaction.
    private static func apply(_ connection: PostgresConnection, _ write: OutageWrite, nowMs: Int64, logger: Logger) async throws -> [StoredAlert] {
        if !write.changes.deletions.isEmpty {
            try await connection.query("""
                DELETE FROM outages WHERE service = \(write.service) AND start_ms = ANY(\(write.changes.deletions)::BIGINT[])
                """, logger: logger)
        }
        let upserts = write.changes.upserts
        if !upserts.isEmpty {
            try await connection.query("""
                INSERT INTO outages (service, start_ms, end_ms, ongoing, detected_ms, locations, first_message, in_maintenance)
                SELECT s, st, e, o, NULLIF(d, \(Self.noDetection)), l, m, mt FROM UNNEST(\(upserts.map(\.service))::TEXT[],
                    \(upserts.map(\.range.startMs))::BIGINT[], \(upserts.map(\.range.endMs))::BIGINT[], \(upserts.map(\.ongoing))::BOOLEAN[],
                    \(upserts.map { $0.detectedAtMs ?? Self.noDetection })::BIGINT[],
                    \(upserts.map { SQLiteStore.locationsText($0.locations) })::TEXT[], \(upserts.map(\.firstMessage))::TEXT[],
                    \(upserts.map(\.inMaintenance))::BOOLEAN[]) AS v(s, st, e, o, d, l, m, mt)
                ON CONFLICT (service, start_ms) DO UPDATE SET end_ms = excluded.end_ms, ongoing = excluded.ongoing,
                    detected_ms = excluded.detected_ms, locations = excluded.locations, first_message = excluded.first_message,
                    in_maintenance = excluded.in_maintenance
                """, logger: logger)
        }
        var stored: [StoredAlert] = []
        for entry in write.alerts {
            if let after = entry.after {
                let rows = try await connection.query("SELECT 1 FROM alerts WHERE dedupe_key = \(after)", logger: logger).collect()
                if rows.isEmpty { continue }
            }
            if try await insertAlert(connection, entry.alert, hooks: entry.hooks, nowMs: nowMs, logger: logger) != nil {
                stored.append(entry.alert)
            }
        }
        if let change = write.clearing {
            try await connection.query("DELETE FROM outage_changes WHERE service = \(change.service) AND seq = \(change.seq)", logger: logger)
            // Changed meanwhile: what was committed before this derivation's reads is derived.
            try await connection.query(
                "UPDATE outage_changes SET marked_ms = GREATEST(marked_ms, \(nowMs)) WHERE service = \(change.service)", logger: logger
            )
            // Changes came in behind it: the feed starts at the earliest of them (``OutageChange``).
            try await connection.query("""
                UPDATE outage_changes SET from_ms = recent_from_ms, recent_from_ms = NULL, recent_since_seq = seq
                WHERE service = \(change.service) AND recent_since_seq <= \(change.seq) AND recent_from_ms IS NOT NULL
                """, logger: logger)
        }
        return stored
    }
}
