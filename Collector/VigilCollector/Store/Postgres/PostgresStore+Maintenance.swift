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

    // MARK: Replicas

    public func recordReplica(_ replica: ReplicaRecord) async throws {
        _ = try await change("recording a replica", """
            INSERT INTO replicas (instance, address, version, started_ms, last_seen_ms, leader)
            VALUES (\(replica.instance), \(replica.address), \(replica.version), \(replica.startedMs), \(replica.lastSeenMs), \(replica.leader))
            ON CONFLICT (instance) DO UPDATE SET address = excluded.address, last_seen_ms = excluded.last_seen_ms, leader = excluded.leader
            """)
    }

    public func replicas(seenSince sinceMs: Int64) async throws -> [ReplicaRecord] {
        try await fetch("reading replicas", """
            SELECT instance, address, version, started_ms, last_seen_ms, leader FROM replicas WHERE last_seen_ms >= \(sinceMs) ORDER BY instance
            """, as: ReplicaRecord.self) { row in
            let (instance, address, version, started, seen, leader) = try row.decode((String, String, String, Int64, Int64, Bool).self)
            return ReplicaRecord(instance: instance, address: address, version: version, startedMs: started, lastSeenMs: seen, leader: leader)
        }
    }

    // MARK: Import

    public func importHistory(_ history: HistoryImport) async throws {
        try await transaction("importing history") { connection, logger in
            var agents: [String: Int64] = [:]
            for check in history.checks {
                let agentID: Int64
                if let known = agents[check.agentName] {
                    agentID = known
                } else {
                    // A hash no token can produce: imported agents cannot ship until given a token.
                    let rows = try await connection.query("""
                        INSERT INTO agents (name, token_hash, created_ms) VALUES (\(check.agentName), \("import:" + check.agentName), 0)
                        ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id
                        """, logger: logger).collect()
                    agentID = try rows[0].decode(Int64.self)
                }
                agents[check.agentName] = agentID
                let definition = check.definition
                let ids = try await connection.query("""
                    INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
                    VALUES (\(agentID), \(definition.name), \(Int64(definition.id)), \(definition.service), \(definition.kind),
                        \(definition.target), \(Int64(definition.intervalMs)), \(Int64(definition.timeoutMs)), 0)
                    ON CONFLICT (agent_id, name) DO UPDATE SET service = excluded.service, kind = excluded.kind,
                        target = excluded.target, interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms
                    RETURNING id
                    """, logger: logger).collect()
                let checkID = try ids[0].decode(Int64.self)
                for start in stride(from: 0, to: check.runs.count, by: 5_000) {
                    let part = check.runs[start..<min(check.runs.count, start + 5_000)].map { (checkID, $0) }
                    try await Self.writeIntervals(connection, part, logger: logger)
                }
            }
            for start in stride(from: 0, to: history.rollups.count, by: 5_000) {
                let part = history.rollups[start..<min(history.rollups.count, start + 5_000)].map { row in
                    (RollupAccumulator.Key(service: row.service, resolution: row.resolutionMs, startMs: row.startMs), row.counts)
                }
                try await Self.upsertRollups(connection, part, logger: logger)
            }
        }
    }
}
