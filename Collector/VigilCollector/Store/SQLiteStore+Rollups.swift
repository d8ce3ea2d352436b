import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    /// Adds one batch's rollup rows to the stored ones (read, merge the histograms, write back).
    static func writeRollups(_ db: Database, _ rollups: RollupAccumulator) throws {
        for (key, counts) in rollups.rows {
            var merged = counts
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT up, degraded, down, latency FROM rollups WHERE service = ? AND resolution_ms = ? AND start_ms = ?"), arguments: [key.service, key.resolution, key.startMs]
            ) {
                merged.add(probeCounts(row))
            }
            try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [key.service, key.resolution, key.startMs, merged.up, merged.degraded, merged.down, Data(merged.latency.encoded)]
            )
        }
    }

    /// Probe counts from a row whose columns are up, degraded, down and latency, from `offset` on.
    static func probeCounts(_ row: Row, offset: Int = 0) -> ProbeCounts {
        let bytes: Data = row[offset + 3]
        return ProbeCounts(
            up: row[offset], degraded: row[offset + 1], down: row[offset + 2],
            latency: LatencyHistogram(encoded: [UInt8](bytes)) ?? LatencyHistogram()
        )
    }

    public func probeCounts(over ranges: [String: [TimeRange]]) async throws -> [String: ProbeCounts] {
        let covers = ranges.mapValues(RollupCover.init)
        return try await pool.read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT start_ms, up, degraded, down, latency FROM rollups
                WHERE service = ? AND resolution_ms = ? AND start_ms BETWEEN ? AND ?
                """)
            var totals: [String: ProbeCounts] = [:]
            for (service, cover) in covers {
                var total = ProbeCounts()
                for (resolution, (first, last)) in cover.bounds {
                    let wanted = cover.keys[resolution] ?? []
                    let rows = try Row.fetchCursor(statement, arguments: [service, resolution, first, last])
                    while let row = try rows.next() {
                        if wanted.contains(row[0]) { total.add(Self.probeCounts(row, offset: 1)) }
                    }
                }
                totals[service] = total
            }
            return totals
        }
    }

    public func pruneMinuteRollups(before cutoffMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM rollups WHERE resolution_ms = ? AND start_ms < ?",
                arguments: [RollupResolution.minute.rawValue, cutoffMs]
            )
            return db.changesCount
        }
    }

    public func intervals(checkIDs: [Int64], overlapping range: TimeRange) async throws -> [Int64: [StateInterval]] {
        try await pool.read { db in
            var result: [Int64: [StateInterval]] = [:]
            for id in checkIDs {
                result[id] = try Self.fetchIntervals(db, checkID: id, endAfter: range.startMs, startBefore: range.endMs)
            }
            return result
        }
    }
}
