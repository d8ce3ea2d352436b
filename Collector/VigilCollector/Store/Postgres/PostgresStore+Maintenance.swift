import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    public func maintenanceWindows() async throws -> [MaintenanceRecord] {
        try await fetch("reading maintenance windows", """
            SELECT id, service, start_ms, end_ms, days, from_minute, to_minute, time_zone, reason, created_ms FROM maintenance ORDER BY id
            """, as: MaintenanceRecord.self) { row in
            let (id, service, start, end, days, from, to, zone, reason, created) = try row.decode(
                (Int64, String, Int64?, Int64?, String?, Int64?, Int64?, String?, String, Int64).self
            )
            var once: TimeRange?
            if let start, let end { once = TimeRange(startMs: start, endMs: end) }
            var weekly: MaintenanceRecord.Weekly?
            if let days, let from, let to, let zone {
                weekly = .init(days: MaintenanceRecord.Weekly.days(column: days), fromMinute: Int(from), toMinute: Int(to), timeZone: zone)
            }
            return MaintenanceRecord(id: id, service: service, once: once, weekly: weekly, reason: reason, createdMs: created)
        }
    }

    public func addMaintenance(_ record: MaintenanceRecord) async throws -> MaintenanceRecord {
        let id = try await insertReturningID("adding a maintenance window", """
            INSERT INTO maintenance (service, start_ms, end_ms, days, from_minute, to_minute, time_zone, reason, created_ms)
            VALUES (\(record.service), \(record.once?.startMs), \(record.once?.endMs), \(record.weekly?.daysColumn),
                \(record.weekly.map { Int64($0.fromMinute) }), \(record.weekly.map { Int64($0.toMinute) }), \(record.weekly?.timeZone),
                \(record.reason), \(record.createdMs))
            RETURNING id
            """)
        var stored = record
        stored.id = id
        return stored
    }

    public func removeMaintenance(id: Int64) async throws {
        if try await change("removing a maintenance window", "DELETE FROM maintenance WHERE id = \(id)") == 0 {
            throw StoreError(.notFound, "no maintenance window with id \(id)")
        }
    }
}
