import PostgresNIO

extension PostgresStore {
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
}
