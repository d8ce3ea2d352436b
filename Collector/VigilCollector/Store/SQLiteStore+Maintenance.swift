import GRDB
import VigilCore

extension SQLiteStore {
    public func maintenanceWindows() async throws -> [MaintenanceRecord] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM maintenance ORDER BY id").map(Self.maintenanceRecord)
        }
    }

    public func addMaintenance(_ record: MaintenanceRecord) async throws -> MaintenanceRecord {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO maintenance (service, start_ms, end_ms, days, from_minute, to_minute, time_zone, reason, created_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.service, record.once?.startMs, record.once?.endMs,
                    record.weekly?.daysColumn,
                    record.weekly?.fromMinute, record.weekly?.toMinute, record.weekly?.timeZone,
                    record.reason, record.createdMs,
                ]
            )
            var stored = record
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func removeMaintenance(id: Int64) async throws {
        try await writing { db in
            try db.execute(sql: "DELETE FROM maintenance WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no maintenance window with id \(id)") }
        }
    }

    static func maintenanceRecord(_ row: Row) -> MaintenanceRecord {
        var once: TimeRange?
        if let start: Int64 = row["start_ms"], let end: Int64 = row["end_ms"] { once = TimeRange(startMs: start, endMs: end) }
        var weekly: MaintenanceRecord.Weekly?
        if let days: String = row["days"], let from: Int = row["from_minute"], let to: Int = row["to_minute"], let zone: String = row["time_zone"] {
            weekly = .init(
                days: MaintenanceRecord.Weekly.days(column: days),
                fromMinute: from, toMinute: to, timeZone: zone
            )
        }
        return MaintenanceRecord(
            id: row["id"], service: row["service"], once: once, weekly: weekly, reason: row["reason"], createdMs: row["created_ms"]
        )
    }
}
