import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
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
            // The imported rows replace the stored ones: deltas for them go in first, not on top later.
            try await Self.moveAllRollupDeltas(connection, logger: logger)
            for start in stride(from: 0, to: history.rollups.count, by: 5_000) {
                let part = history.rollups[start..<min(history.rollups.count, start + 5_000)].map { row in
                    (RollupAccumulator.Key(service: row.service, resolution: row.resolutionMs, startMs: row.startMs), row.counts)
                }
                try await Self.upsertRollups(connection, part, logger: logger)
            }
            try await Self.markChanged(connection, history.outageChanges, nowMs: OutageChange.historyMarkMs, logger: logger)
        }
        outageFeed.raiseChanged()
    }
}
