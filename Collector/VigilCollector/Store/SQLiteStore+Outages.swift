import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    /// The feed's rows, returned once every commit the read can have seen is in memory too
    /// (``CommitPublication``): the derivation that follows reads the tips those commits hold. For a
    /// derivation their services are marked as being derived first (``OutageFeed/beginDeriving(_:)``): a batch folded
    /// before the mark has committed when this returns, one after it records its change.
    public func outageChanges(deriving: Bool) async throws -> [OutageChange] {
        let changes = try await reading { db in
            try Row.fetchAll(db, sql: "SELECT service, from_ms, seq, marked_ms FROM outage_changes ORDER BY service").map { row in
                OutageChange(service: row[0], fromMs: row[1], seq: row[2], markedMs: row[3])
            }
        }
        if deriving { outageFeed.beginDeriving(changes.map(\.service)) }
        do {
            try await publication.waitForCommitsBegun()
        } catch {
            // Cancelled: no pass follows to end the mark.
            if deriving { outageFeed.endDeriving(changes.map(\.service)) }
            throw error
        }
        return changes
    }

    /// Nothing to move: ingest writes the feed's rows themselves (one writer, no one waits).
    public func compactOutageChanges() async throws -> Int { 0 }

    public func markOutagesChanged(services: [String], fromMs: Int64, nowMs: Int64) async throws {
        try await writing { db in try Self.markChanged(db, Dictionary(services.map { ($0, fromMs) }, uniquingKeysWith: min), nowMs: nowMs) }
        outageFeed.raiseChanged()
    }

    /// Nothing to follow: only this process writes the file, and its commits raise the feed's flag.
    public func followOutageChanges() async throws {}

    /// Records changes in the feed, in the caller's transaction: each service's earliest change is kept,
    /// its sequence bumped, the earliest change since the row was last derived kept beside it
    /// (``OutageChange``), and the time of the oldest change not yet derived stays.
    static func markChanged(_ db: Database, _ changes: [String: Int64], nowMs: Int64) throws {
        guard !changes.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO outage_changes (service, from_ms, seq, marked_ms, recent_since_seq) VALUES (?, ?, 1, ?, 1)
            ON CONFLICT (service) DO UPDATE SET from_ms = MIN(from_ms, excluded.from_ms), seq = seq + 1,
                recent_from_ms = MIN(COALESCE(recent_from_ms, excluded.from_ms), excluded.from_ms)
            """)
        for (service, from) in changes {
            try statement.execute(arguments: [service, from, nowMs])
        }
    }

    public func storedOutages(service: String?, overlapping range: TimeRange) async throws -> [Outage] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.outageColumns) FROM outages
                    WHERE (? IS NULL OR service = ?) AND end_ms > ? AND start_ms < ? ORDER BY start_ms, service
                    """,
                arguments: [service, service, range.startMs, range.endMs]
            ).map(Self.outage)
        }
    }

    public func ongoingOutages() async throws -> [Outage] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.outageColumns) FROM outages WHERE ongoing = 1 ORDER BY start_ms, service").map(Self.outage)
        }
    }

    public func latestOutageEnds() async throws -> [String: Int64] {
        try await reading { db in try Self.latestEnds(db) }
    }

    static func latestEnds(_ db: Database) throws -> [String: Int64] {
        var ends: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT service, MAX(end_ms) FROM outages GROUP BY service") { ends[row[0]] = row[1] }
        return ends
    }

    public func applyOutageWrites(_ writes: [OutageWrite], nowMs: Int64) async throws -> [StoredAlert] {
        guard !writes.isEmpty else { return [] }
        let (stored, latest) = try await writing { db -> ([StoredAlert], [String: Int64?]) in
            var stored: [StoredAlert] = []
            var latest: [String: Int64?] = [:]
            for write in writes {
                stored += try Self.apply(db, write, nowMs: nowMs)
                latest[write.service] = try Int64.fetchOne(db, sql: "SELECT MAX(end_ms) FROM outages WHERE service = ?", arguments: [write.service])
            }
            return (stored, latest)
        }
        for (service, end) in latest { outageFeed.record(service: service, latestEndMs: end) }
        if !stored.isEmpty { outageFeed.raiseAlerted() }
        return stored
    }

    /// One service's write, in the caller's transaction.
    private static func apply(_ db: Database, _ write: OutageWrite, nowMs: Int64) throws -> [StoredAlert] {
        let delete = try db.cachedStatement(sql: "DELETE FROM outages WHERE service = ? AND start_ms = ?")
        for start in write.changes.deletions { try delete.execute(arguments: [write.service, start]) }
        let upsert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO outages (service, start_ms, end_ms, ongoing, detected_ms, locations, first_message, in_maintenance)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for outage in write.changes.upserts {
            try upsert.execute(arguments: [
                outage.service, outage.range.startMs, outage.range.endMs, outage.ongoing, outage.detectedAtMs,
                locationsText(outage.locations), outage.firstMessage, outage.inMaintenance,
            ])
        }
        var stored: [StoredAlert] = []
        for entry in write.alerts {
            if let after = entry.after, !(try Bool.fetchOne(db, sql: "SELECT 1 FROM alerts WHERE dedupe_key = ?", arguments: [after]) ?? false) {
                continue
            }
            if try insertAlert(db, entry.alert, hooks: entry.hooks, nowMs: nowMs) != nil { stored.append(entry.alert) }
        }
        if let change = write.clearing {
            try db.execute(sql: "DELETE FROM outage_changes WHERE service = ? AND seq = ?", arguments: [change.service, change.seq])
            // Changed meanwhile: what was committed before this derivation's reads is derived.
            try db.execute(sql: "UPDATE outage_changes SET marked_ms = MAX(marked_ms, ?) WHERE service = ?", arguments: [nowMs, change.service])
            // Changes came in behind it: the feed starts at the earliest of them (``OutageChange``).
            try db.execute(sql: """
                UPDATE outage_changes SET from_ms = recent_from_ms, recent_from_ms = NULL, recent_since_seq = seq
                WHERE service = ? AND recent_since_seq <= ? AND recent_from_ms IS NOT NULL
                """, arguments: [change.service, change.seq])
        }
        return stored
    }

    static let outageColumns = "service, start_ms, end_ms, ongoing, detected_ms, locations, first_message, in_maintenance"

    static func outage(_ row: Row) -> Outage {
        Outage(
            service: row[0], range: TimeRange(startMs: row[1], endMs: row[2]), ongoing: row[3], locations: locations(row[5]),
            firstMessage: row[6], detectedAtMs: row[4], inMaintenance: row[7], eligibleDownMs: 0
        )
    }

    /// Locations are stored as a JSON array of strings (agents choose the names).
    static func locationsText(_ locations: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(locations), as: UTF8.self)) ?? "[]"
    }

    static func locations(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
