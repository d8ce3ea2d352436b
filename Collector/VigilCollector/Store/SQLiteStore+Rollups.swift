import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    /// Adds one batch's rollup rows to the stored ones: one upsert a row, the counts added and the
    /// latency histograms merged inside SQLite (``histogramAdd``), so nothing is read back.
    static func writeRollups(_ db: Database, _ rollups: RollupAccumulator) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (service, resolution_ms, start_ms) DO UPDATE SET
                up = up + excluded.up, degraded = degraded + excluded.degraded, down = down + excluded.down,
                latency = vigil_histogram_add(latency, excluded.latency)
            """)
        for (key, counts) in rollups.rows {
            try upsert.execute(arguments: [
                key.service, key.resolution, key.startMs, counts.up, counts.degraded, counts.down, Data(counts.latency.encoded),
            ])
        }
    }

    /// `vigil_histogram_add(a, b)`: the sum of two encoded latency histograms (an unreadable one counts
    /// as empty), registered on every connection.
    static let histogramAdd = DatabaseFunction("vigil_histogram_add", argumentCount: 2, pure: true) { values in
        var sum = Data.fromDatabaseValue(values[0]).flatMap { LatencyHistogram(encoded: [UInt8]($0)) } ?? LatencyHistogram()
        if let other = Data.fromDatabaseValue(values[1]).flatMap({ LatencyHistogram(encoded: [UInt8]($0)) }) { sum.add(other) }
        return Data(sum.encoded)
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
