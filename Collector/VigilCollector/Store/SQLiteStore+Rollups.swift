import Foundation
import GRDB
import VigilCore

extension SQLiteStore {
    /// Adds one batch's rollup rows to the stored ones: one upsert a row, the counts added and the
    /// latency histograms merged inside SQLite (``histogramAdd``), so nothing is read back.
    ///
    /// Only minute rows are written for minutes from `foldedBeforeMs` on: their hour and day rows are
    /// summed later, once a minute, by ``foldRollups(_:toMs:)`` (a batch of 1,000 services wrote 3,000
    /// rows, now 1,000). A minute before it (a late heartbeat) has its hour and day rows written too, from
    /// the batch's own minute sums, so those rows always hold every minute before `foldedBeforeMs`.
    static func writeRollups(_ db: Database, _ rollups: RollupAccumulator, foldedBeforeMs: Int64) throws {
        let minute = RollupResolution.minute.rawValue
        var rows: [RollupAccumulator.Key: ProbeCounts] = [:]
        rows.reserveCapacity(rollups.rows.count)
        var late: [(String, Int64, ProbeCounts)] = []
        for (key, counts) in rollups.rows where key.resolution == minute {
            rows[key] = counts
            if key.startMs < foldedBeforeMs { late.append((key.service, key.startMs, counts)) }
        }
        for (service, start, counts) in late {
            for resolution in [RollupResolution.hour, .day] {
                let size = resolution.rawValue
                rows[.init(service: service, resolution: size, startMs: RollupAccumulator.floor(start, to: size)), default: ProbeCounts()].add(counts)
            }
        }
        try upsertRollups(db, rows)
    }

    private static func upsertRollups(_ db: Database, _ rows: [RollupAccumulator.Key: ProbeCounts]) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO rollups (service, resolution_ms, start_ms, up, degraded, down, latency) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (service, resolution_ms, start_ms) DO UPDATE SET
                up = up + excluded.up, degraded = degraded + excluded.degraded, down = down + excluded.down,
                latency = vigil_histogram_add(latency, excluded.latency)
            """)
        for (key, counts) in rows {
            try upsert.execute(arguments: [
                key.service, key.resolution, key.startMs, counts.up, counts.degraded, counts.down, Data(counts.latency.encoded),
            ])
        }
    }

    /// Minutes from this instant on are in minute rows only, not yet in their hour and day rows.
    static func rollupsFoldedBefore(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT folded_before_ms FROM rollup_fold WHERE id = 1")) ?? Int64.max
    }

    /// Adds the minute rows from the folded instant up to `toMs` (rounded down to a minute) to their hour
    /// and day rows, and moves the instant there, in the caller's transaction; nothing when it is there
    /// already. Minute rows are left as they are. Returns how many minute rows it added.
    @discardableResult
    static func foldRollups(_ db: Database, toMs: Int64) throws -> Int {
        let minute = RollupResolution.minute.rawValue
        let from = try rollupsFoldedBefore(db)
        let to = RollupAccumulator.floor(toMs, to: minute)
        guard to > from else { return 0 }
        var folded = 0
        var rows: [RollupAccumulator.Key: ProbeCounts] = [:]
        let read = try db.cachedStatement(sql: """
            SELECT service, start_ms, up, degraded, down, latency FROM rollups
            WHERE resolution_ms = ? AND start_ms >= ? AND start_ms < ?
            """)
        let cursor = try Row.fetchCursor(read, arguments: [minute, from, to])
        while let row = try cursor.next() {
            let service: String = row[0]
            let start: Int64 = row[1]
            let counts = probeCounts(row, offset: 2)
            folded += 1
            for resolution in [RollupResolution.hour, .day] {
                let size = resolution.rawValue
                rows[.init(service: service, resolution: size, startMs: RollupAccumulator.floor(start, to: size)), default: ProbeCounts()].add(counts)
            }
        }
        try upsertRollups(db, rows)
        try db.cachedStatement(sql: "UPDATE rollup_fold SET folded_before_ms = ? WHERE id = 1").execute(arguments: [to])
        return folded
    }

    /// Folds the minutes before `nowMs` when a minute has passed since the last fold (a collector that
    /// gets no batch still folds; ingest's first commit of a minute does it otherwise).
    /// Also writes the newest heartbeats ``writeBehind`` has held longest (``flushDue(nowMs:)``).
    public func compactRollups(nowMs: Int64) async throws -> Int {
        try await flushDue(nowMs: nowMs)
    }

    /// Folds every minute row into its hour and day rows (``foldRollups(_:toMs:)`` up to the newest
    /// minute row's end, or `nowMs` when later): after it, the hour and day rows hold everything stored.
    static func foldAllRollups(_ db: Database, nowMs: Int64) throws {
        let minute = RollupResolution.minute.rawValue
        let newest = try Int64.fetchOne(db, sql: "SELECT MAX(start_ms) FROM rollups WHERE resolution_ms = ?", arguments: [minute])
        try foldRollups(db, toMs: max(nowMs, newest.map { $0 + minute } ?? nowMs))
    }

    public func rollupsFoldedBeforeMs() async throws -> Int64 {
        try await reading { db in try Self.rollupsFoldedBefore(db) }
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

    /// The stored rows plus the minute rows ``writeBehind`` holds. The held rows are copied first and
    /// read again when the rows they held were written meanwhile (`rollups_from` moved), so no heartbeat
    /// counts twice or not at all.
    public func rollupCounts(_ covers: [String: RollupCover], latency: Bool) async throws -> [String: ProbeCounts] {
        while true {
            let held = writeBehind.rollups(of: Set(covers.keys))
            let (stored, from) = try await storedRollupCounts(covers, latency: latency)
            guard from == held.from else { continue }
            return Self.adding(held.rows, to: stored, covers: covers, latency: latency)
        }
    }

    /// Adds the held minute rows that fall inside a span of a service's cover (a minute is either inside
    /// one of its spans, at whatever resolution, or not covered by rows at all).
    static func adding(
        _ held: RollupAccumulator, to stored: [String: ProbeCounts], covers: [String: RollupCover], latency: Bool
    ) -> [String: ProbeCounts] {
        var totals = stored
        let minute = RollupResolution.minute.rawValue
        for (key, counts) in held.rows where key.resolution == minute {
            guard let cover = covers[key.service] else { continue }
            let covered = [RollupResolution.minute, .hour, .day].contains { resolution in
                cover.keys[resolution.rawValue]?.contains(RollupAccumulator.floor(key.startMs, to: resolution.rawValue)) ?? false
            }
            guard covered else { continue }
            totals[key.service, default: ProbeCounts()].add(
                latency ? counts : ProbeCounts(up: counts.up, degraded: counts.degraded, down: counts.down, latency: LatencyHistogram())
            )
        }
        return totals
    }

    /// The stored rows' counts, with the journal's rollup position read in the same snapshot.
    private func storedRollupCounts(_ covers: [String: RollupCover], latency: Bool) async throws -> ([String: ProbeCounts], Int64) {
        try await reading { db in
            let from = try Int64.fetchOne(db.cachedStatement(sql: "SELECT rollups_from FROM deferred_state WHERE id = 1")) ?? 0
            var totals: [String: ProbeCounts] = [:]
            for service in covers.keys { totals[service] = ProbeCounts() }
            // One statement per span for up to 500 services that share their spans (a statement per
            // service and span made 10,000 services' current periods 30,000 statements).
            for (spans, services) in RollupCover.sharedSpans(covers) {
                let names = Array(repeating: "?", count: services.count).joined(separator: ", ")
                let statement = try db.cachedStatement(sql: latency ? """
                    SELECT service, up, degraded, down, latency FROM rollups
                    WHERE resolution_ms = ? AND start_ms BETWEEN ? AND ? AND service IN (\(names))
                    """ : """
                    SELECT service, SUM(up), SUM(degraded), SUM(down) FROM rollups
                    WHERE resolution_ms = ? AND start_ms BETWEEN ? AND ? AND service IN (\(names)) GROUP BY service
                    """)
                for span in spans {
                    var arguments: StatementArguments = [span.resolution, span.first, span.last]
                    arguments += StatementArguments(services)
                    let rows = try Row.fetchCursor(statement, arguments: arguments)
                    while let row = try rows.next() {
                        let counts = latency
                            ? Self.probeCounts(row, offset: 1)
                            : ProbeCounts(up: row[1], degraded: row[2], down: row[3], latency: LatencyHistogram())
                        totals[row[0], default: ProbeCounts()].add(counts)
                    }
                }
            }
            return (totals, from)
        }
    }

    public func rawBatches(holdingMinutes minutes: [Int64]) async throws -> [RawBatchRecord] {
        try await reading { db in
            let find = try db.cachedStatement(sql: "SELECT agent_id, session_id, seq FROM raw_batch_minutes WHERE minute_ms = ?")
            var keys: [(Int64, String, Int64)] = []
            var seen: Set<String> = []
            for minute in minutes {
                for row in try Row.fetchAll(find, arguments: [minute]) {
                    let key: (Int64, String, Int64) = (row[0], row[1], row[2])
                    if seen.insert("\(key.0)/\(key.1)/\(key.2)").inserted { keys.append(key) }
                }
            }
            let read = try db.cachedStatement(sql: """
                SELECT received_ms, content_type, content_encoding, body, oldest_accepted_ms, newest_accepted_ms, refused_checks
                FROM raw_batches WHERE agent_id = ? AND session_id = ? AND seq = ?
                """)
            let mapping = try db.cachedStatement(sql: """
                SELECT session_checks.local_id, checks.service FROM session_checks JOIN checks ON checks.id = session_checks.check_id
                WHERE session_checks.agent_id = ? AND session_checks.session_id = ?
                """)
            var services: [String: [UInt32: String]] = [:]
            var records: [RawBatchRecord] = []
            for (agent, session, seq) in keys {
                guard let row = try Row.fetchOne(read, arguments: [agent, session, seq]) else { continue }
                let sessionKey = "\(agent)/\(session)"
                if services[sessionKey] == nil {
                    var map: [UInt32: String] = [:]
                    for check in try Row.fetchAll(mapping, arguments: [agent, session]) {
                        map[UInt32(truncatingIfNeeded: check[0] as Int64)] = check[1]
                    }
                    services[sessionKey] = map
                }
                let body: Data = row[3]
                var record = RawBatchRecord(
                    agentID: agent, sessionID: session, seq: seq, receivedMs: row[0], contentType: row[1], contentEncoding: row[2],
                    body: [UInt8](body), oldestAcceptedMs: row[4], newestAcceptedMs: row[5], services: services[sessionKey] ?? [:]
                )
                record.refusedChecks = RawBatchReplay.refusedChecks(row[6])
                records.append(record)
            }
            return records
        }
    }

    /// Indexes raw batches stored before issue 18 under the minutes of their heartbeats, so exact counts
    /// over partial minutes find them too; a few hundred at a time, once (they are marked).
    static func indexStoredRawBatches(_ pool: DatabasePool) throws {
        while true {
            let done = try pool.write { db -> Bool in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT agent_id, session_id, seq, received_ms, content_type, content_encoding, body FROM raw_batches
                    INDEXED BY raw_batches_unindexed WHERE minutes_indexed = 0 LIMIT 500
                    """)
                if rows.isEmpty { return true }
                let mapping = try db.cachedStatement(sql: """
                    SELECT session_checks.local_id, checks.service FROM session_checks JOIN checks ON checks.id = session_checks.check_id
                    WHERE session_checks.agent_id = ? AND session_checks.session_id = ?
                    """)
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO raw_batch_minutes (minute_ms, agent_id, session_id, seq) VALUES (?, ?, ?, ?)")
                let mark = try db.cachedStatement(sql: "UPDATE raw_batches SET minutes_indexed = 1 WHERE agent_id = ? AND session_id = ? AND seq = ?")
                for row in rows {
                    let (agent, session, seq): (Int64, String, Int64) = (row[0], row[1], row[2])
                    var services: [UInt32: String] = [:]
                    for check in try Row.fetchAll(mapping, arguments: [agent, session]) {
                        services[UInt32(truncatingIfNeeded: check[0] as Int64)] = check[1]
                    }
                    let body: Data = row[6]
                    let record = RawBatchRecord(
                        agentID: agent, sessionID: session, seq: seq, receivedMs: row[3], contentType: row[4], contentEncoding: row[5],
                        body: [UInt8](body), oldestAcceptedMs: nil, newestAcceptedMs: nil, services: services
                    )
                    for minute in RawBatchReplay.minutes(ofStored: record) {
                        try insert.execute(arguments: [minute, agent, session, seq])
                    }
                    try mark.execute(arguments: [agent, session, seq])
                }
                return false
            }
            if done { return }
        }
    }

    public func pruneMinuteRollups(before cutoffMs: Int64) async throws -> Int {
        try await writingFlushed { db in
            // A minute row is only deleted once its hour and day rows hold it (a collector stopped for
            // longer than the retention comes back with minutes never folded).
            try Self.foldRollups(db, toMs: max(cutoffMs, WallClock.nowMs()))
            try db.execute(
                sql: "DELETE FROM rollups WHERE resolution_ms = ? AND start_ms < ?",
                arguments: [RollupResolution.minute.rawValue, cutoffMs]
            )
            return db.changesCount
        }
    }

    /// The stored intervals with the tips ``writeBehind`` holds (copied before the read).
    public func intervals(checkIDs: [Int64], overlapping range: TimeRange) async throws -> [Int64: [StateInterval]] {
        let held = writeBehind.tips(of: checkIDs)
        var result = try await reading { db in
            var result: [Int64: [StateInterval]] = [:]
            for id in checkIDs {
                result[id] = try Self.fetchIntervals(db, checkID: id, endAfter: range.startMs, startBefore: range.endMs)
            }
            return result
        }
        for (id, tip) in held {
            result[id] = Self.overlay(result[id] ?? [], tip: tip, endAfter: range.startMs, startBefore: range.endMs)
        }
        return result
    }
}
