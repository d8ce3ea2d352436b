import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    public func importHistory(_ history: HistoryImport) async throws {
        // Imported rows replace stored ones: everything held is written first. The import may replace
        // tips ingest knows: they are read again from the store.
        try await writingFlushed(forgettingTips: true) { db in
            var agents: [String: Int64] = [:]
            for check in history.checks {
                let agentID: Int64
                if let known = agents[check.agentName] {
                    agentID = known
                } else if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM agents WHERE name = ?", arguments: [check.agentName]) {
                    agentID = existing
                } else {
                    // A hash no token can produce: imported agents cannot ship until given a token.
                    try db.execute(
                        sql: "INSERT INTO agents (name, token_hash, created_ms) VALUES (?, ?, 0)",
                        arguments: [check.agentName, "import:" + check.agentName]
                    )
                    agentID = db.lastInsertedRowID
                }
                agents[check.agentName] = agentID
                let definition = check.definition
                try db.execute(
                    sql: """
                        INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
                        ON CONFLICT (agent_id, name) DO UPDATE SET service = excluded.service, kind = excluded.kind,
                            target = excluded.target, interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms
                        """,
                    arguments: [agentID, definition.name, definition.id, definition.service, definition.kind, definition.target, definition.intervalMs, definition.timeoutMs]
                )
                let checkID = try Int64.fetchOne(db, sql: "SELECT id FROM checks WHERE agent_id = ? AND name = ?", arguments: [agentID, definition.name])!
                let insert = try db.makeStatement(sql: """
                    INSERT OR REPLACE INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status, beats, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for run in check.runs {
                    try insert.execute(arguments: [checkID, run.startMs, run.endMs, run.lastBeatMs, run.status.rawValue, run.beats, run.message])
                }
            }
            // Imported rows replace stored ones at every resolution: every minute they can touch is
            // folded into its hour and day rows first, so no later fold adds a minute to an imported row.
            let importedEnd = history.rollups.map { $0.startMs + $0.resolutionMs }.max() ?? Int64.min
            try Self.foldAllRollups(db, nowMs: max(WallClock.nowMs(), importedEnd))
            let insert = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for row in history.rollups {
                let counts = row.counts
                try insert.execute(arguments: [
                    row.service, row.resolutionMs, row.startMs, counts.up, counts.degraded, counts.down, Data(counts.latency.encoded),
                ])
            }
            try Self.markChanged(db, history.outageChanges, nowMs: OutageChange.historyMarkMs)
        }
        outageFeed.raiseChanged()
    }
}
