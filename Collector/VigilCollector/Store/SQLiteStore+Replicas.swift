import GRDB

extension SQLiteStore {
    public func recordReplica(_ replica: ReplicaRecord) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    INSERT INTO replicas (instance, address, version, started_ms, last_seen_ms, leader) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (instance) DO UPDATE SET address = excluded.address, last_seen_ms = excluded.last_seen_ms,
                        leader = excluded.leader
                    """,
                arguments: [replica.instance, replica.address, replica.version, replica.startedMs, replica.lastSeenMs, replica.leader]
            )
        }
    }

    public func replicas(seenSince sinceMs: Int64) async throws -> [ReplicaRecord] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: "SELECT instance, address, version, started_ms, last_seen_ms, leader FROM replicas WHERE last_seen_ms >= ? ORDER BY instance",
                arguments: [sinceMs]
            ).map { row in
                ReplicaRecord(instance: row[0], address: row[1], version: row[2], startedMs: row[3], lastSeenMs: row[4], leader: row[5])
            }
        }
    }
}
