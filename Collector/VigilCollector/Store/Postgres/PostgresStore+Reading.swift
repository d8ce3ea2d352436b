import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    public func services() async throws -> [String] {
        try await fetch("listing services", "SELECT DISTINCT service FROM checks ORDER BY service", as: String.self) {
            try $0.decode(String.self)
        }
    }

    public func checks(service: String) async throws -> [CheckRecord] {
        try await fetch("reading checks", Self.checksQuery(service: service), as: CheckRecord.self, decode: Self.checkRecord)
    }

    public func allChecks() async throws -> [CheckRecord] {
        try await fetch("reading checks", Self.checksQuery(service: nil), as: CheckRecord.self, decode: Self.checkRecord)
    }

    public func checks(kind: String) async throws -> [CheckRecord] {
        try await fetch("reading checks", Self.checksQuery(service: nil, kind: kind), as: CheckRecord.self, decode: Self.checkRecord)
    }

    /// Checks with their agent's name, by service, agent and check name.
    static func checksQuery(service: String?, kind: String? = nil) -> PostgresQuery {
        """
        SELECT checks.id, agents.name, checks.local_id, checks.name, checks.service, checks.kind, checks.target,
            checks.interval_ms, checks.timeout_ms, checks.last_ts_ms, checks.last_status, checks.last_latency_us,
            checks.last_code, checks.last_message
        FROM checks JOIN agents ON agents.id = checks.agent_id
        WHERE (\(service)::TEXT IS NULL OR checks.service = \(service)) AND (\(kind)::TEXT IS NULL OR checks.kind = \(kind))
        ORDER BY checks.service, agents.name, checks.name
        """
    }

    static func checkRecord(_ row: PostgresRow) throws -> CheckRecord {
        let (id, agent, localID, name, service, kind, target, interval, timeout, lastTs, lastStatus, latency, code, message) = try row.decode(
            (Int64, String, Int64, String, String, String, String, Int64, Int64, Int64?, String?, Int64?, Int64?, String?).self
        )
        let definition = CheckDefinition(
            id: UInt32(truncatingIfNeeded: localID), name: name, service: service, kind: kind, target: target,
            intervalMs: UInt32(truncatingIfNeeded: interval), timeoutMs: UInt32(truncatingIfNeeded: timeout)
        )
        var last: Heartbeat?
        if let lastTs, let lastStatus, let status = CheckStatus(rawValue: lastStatus) {
            last = Heartbeat(
                check: definition.id, timestampMs: lastTs, status: status, latencyUs: UInt32(truncatingIfNeeded: latency ?? 0),
                code: Int32(truncatingIfNeeded: code ?? 0), message: message ?? ""
            )
        }
        return CheckRecord(id: id, agentName: agent, definition: definition, lastHeartbeat: last)
    }

    // MARK: Intervals

    static let intervalColumns = "status, start_ms, end_ms, last_beat_ms, beats, message"

    static func interval(_ row: PostgresRow) throws -> StateInterval {
        let (status, start, end, lastBeat, beats, message) = try row.decode((String, Int64, Int64, Int64, Int64, String).self)
        return StateInterval(
            status: CheckStatus(rawValue: status) ?? .unknown, startMs: start, endMs: end, lastBeatMs: lastBeat,
            beats: beats, message: message
        )
    }

    /// A check's intervals that end after `endAfter` and start before `startBefore`, by start.
    static func fetchIntervals(
        _ connection: PostgresConnection, checkID: Int64, endAfter: Int64, startBefore: Int64, logger: Logger
    ) async throws -> [StateInterval] {
        try await connection.query("""
            SELECT \(unescaped: intervalColumns) FROM state_intervals
            WHERE check_id = \(checkID) AND end_ms > \(endAfter) AND start_ms < \(startBefore) ORDER BY start_ms
            """, logger: logger).collect().map(interval)
    }

    public func intervals(checkID: Int64, overlapping range: TimeRange) async throws -> [StateInterval] {
        try await withConnection("reading state intervals") { connection, logger in
            try await Self.fetchIntervals(connection, checkID: checkID, endAfter: range.startMs, startBefore: range.endMs, logger: logger)
        }
    }

    public func intervals(checkIDs: [Int64], overlapping range: TimeRange) async throws -> [Int64: [StateInterval]] {
        try await withConnection("reading state intervals") { connection, logger in
            var result = Dictionary(uniqueKeysWithValues: checkIDs.map { ($0, [StateInterval]()) })
            let rows = try await connection.query("""
                SELECT check_id, \(unescaped: Self.intervalColumns) FROM state_intervals
                WHERE check_id = ANY(\(checkIDs)) AND end_ms > \(range.startMs) AND start_ms < \(range.endMs)
                ORDER BY check_id, start_ms
                """, logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let checkID = try cells[0].decode(Int64.self)
                let status = try cells[1].decode(String.self)
                result[checkID, default: []].append(StateInterval(
                    status: CheckStatus(rawValue: status) ?? .unknown, startMs: try cells[2].decode(Int64.self),
                    endMs: try cells[3].decode(Int64.self), lastBeatMs: try cells[4].decode(Int64.self),
                    beats: try cells[5].decode(Int64.self), message: try cells[6].decode(String.self)
                ))
            }
            return result
        }
    }

    // MARK: Rollups

    public func rawBatches(holdingMinutes minutes: [Int64]) async throws -> [RawBatchRecord] {
        try await withConnection("reading raw batches") { connection, logger in
            let rows = try await connection.query("""
                SELECT r.agent_id, r.session_id, r.seq, r.received_ms, r.content_type, r.content_encoding, r.body,
                    r.oldest_accepted_ms, r.newest_accepted_ms, r.refused_checks
                FROM raw_batches r
                WHERE (r.agent_id, r.session_id, r.seq) IN (
                    SELECT DISTINCT agent_id, session_id, seq FROM raw_batch_minutes WHERE minute_ms = ANY(\(minutes)::BIGINT[]))
                """, logger: logger)
            var records: [RawBatchRecord] = []
            for try await (agent, session, seq, received, type, encoding, body, oldest, newest, refused) in rows.decode(
                (Int64, String, Int64, Int64, String, String, ByteBuffer, Int64?, Int64?, String?).self
            ) {
                var record = RawBatchRecord(
                    agentID: agent, sessionID: session, seq: seq, receivedMs: received, contentType: type, contentEncoding: encoding,
                    body: Array(body.readableBytesView), oldestAcceptedMs: oldest, newestAcceptedMs: newest, services: [:]
                )
                record.refusedChecks = RawBatchReplay.refusedChecks(refused)
                records.append(record)
            }
            let sessions = Array(Set(records.map { "\($0.agentID)/\($0.sessionID)" }))
            guard !sessions.isEmpty else { return records }
            let agents = sessions.map { Int64($0.split(separator: "/", maxSplits: 1)[0])! }
            let sessionIDs = sessions.map { String($0.split(separator: "/", maxSplits: 1)[1]) }
            var services: [String: [UInt32: String]] = [:]
            let mapping = try await connection.query("""
                SELECT sc.agent_id, sc.session_id, sc.local_id, c.service FROM session_checks sc JOIN checks c ON c.id = sc.check_id
                WHERE (sc.agent_id, sc.session_id) IN (SELECT * FROM UNNEST(\(agents)::BIGINT[], \(sessionIDs)::TEXT[]))
                """, logger: logger)
            for try await (agent, session, local, service) in mapping.decode((Int64, String, Int64, String).self) {
                services["\(agent)/\(session)", default: [:]][UInt32(truncatingIfNeeded: local)] = service
            }
            for index in records.indices {
                records[index].services = services["\(records[index].agentID)/\(records[index].sessionID)"] ?? [:]
            }
            return records
        }
    }

    /// Indexes raw batches stored before issue 18 under the minutes of their heartbeats, so exact counts
    /// over partial minutes find them too; a few hundred at a time, once (they are marked). Replicas
    /// starting at once may index the same batch twice, which changes nothing.
    static func indexStoredRawBatches(_ connection: PostgresConnection, logger: Logger) async throws {
        while true {
            let rows = try await connection.query("""
                SELECT agent_id, session_id, seq, received_ms, content_type, content_encoding, body FROM raw_batches
                WHERE NOT minutes_indexed LIMIT 500
                """, logger: logger)
            var records: [RawBatchRecord] = []
            for try await (agent, session, seq, received, type, encoding, body) in rows.decode((Int64, String, Int64, Int64, String, String, ByteBuffer).self) {
                records.append(RawBatchRecord(
                    agentID: agent, sessionID: session, seq: seq, receivedMs: received, contentType: type, contentEncoding: encoding,
                    body: Array(body.readableBytesView), oldestAcceptedMs: nil, newestAcceptedMs: nil, services: [:]
                ))
            }
            if records.isEmpty { return }
            for var record in records {
                let mapping = try await connection.query("""
                    SELECT sc.local_id, c.service FROM session_checks sc JOIN checks c ON c.id = sc.check_id
                    WHERE sc.agent_id = \(record.agentID) AND sc.session_id = \(record.sessionID)
                    """, logger: logger)
                for try await (local, service) in mapping.decode((Int64, String).self) {
                    record.services[UInt32(truncatingIfNeeded: local)] = service
                }
                try await connection.query("""
                    INSERT INTO raw_batch_minutes (minute_ms, agent_id, session_id, seq)
                    SELECT m, \(record.agentID), \(record.sessionID), \(record.seq) FROM UNNEST(\(RawBatchReplay.minutes(ofStored: record))::BIGINT[]) AS m
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                try await connection.query("""
                    UPDATE raw_batches SET minutes_indexed = true
                    WHERE agent_id = \(record.agentID) AND session_id = \(record.sessionID) AND seq = \(record.seq)
                    """, logger: logger)
            }
        }
    }

    public func rollupCounts(_ covers: [String: RollupCover], latency: Bool) async throws -> [String: ProbeCounts] {
        try await withConnection("reading probe rollups") { connection, logger in
            var totals: [String: ProbeCounts] = [:]
            for service in covers.keys { totals[service] = ProbeCounts() }
            // One statement per span for up to 500 services that share their spans (as on SQLite).
            // Deltas are minute rows: a span of hours or days adds the minutes inside it, and since a
            // cover's spans do not overlap, each pending minute is counted once.
            let minute = RollupResolution.minute.rawValue
            for (spans, services) in RollupCover.sharedSpans(covers) {
                for span in spans {
                    if latency {
                        // One statement over both tables: one snapshot, so a delta compaction moved
                        // into `rollups` meanwhile is counted once.
                        let rows = try await connection.query("""
                            SELECT service, up, degraded, down, latency FROM rollups
                            WHERE resolution_ms = \(span.resolution) AND start_ms BETWEEN \(span.first) AND \(span.last) AND service = ANY(\(services))
                            UNION ALL
                            SELECT service, up, degraded, down, latency FROM rollup_deltas
                            WHERE resolution_ms = \(minute) AND start_ms >= \(span.first) AND start_ms < \(span.last + span.resolution) AND service = ANY(\(services))
                            """, logger: logger)
                        for try await (service, up, degraded, down, latency) in rows.decode((String, Int64, Int64, Int64, ByteBuffer).self) {
                            totals[service, default: ProbeCounts()].add(Self.probeCounts(up: up, degraded: degraded, down: down, latency: latency))
                        }
                    } else {
                        let rows = try await connection.query("""
                            SELECT service, SUM(up)::bigint, SUM(degraded)::bigint, SUM(down)::bigint FROM (
                                SELECT service, up, degraded, down FROM rollups
                                WHERE resolution_ms = \(span.resolution) AND start_ms BETWEEN \(span.first) AND \(span.last) AND service = ANY(\(services))
                                UNION ALL
                                SELECT service, up, degraded, down FROM rollup_deltas
                                WHERE resolution_ms = \(minute) AND start_ms >= \(span.first) AND start_ms < \(span.last + span.resolution) AND service = ANY(\(services))
                            ) AS r
                            GROUP BY service
                            """, logger: logger)
                        for try await (service, up, degraded, down) in rows.decode((String, Int64, Int64, Int64).self) {
                            totals[service, default: ProbeCounts()].add(ProbeCounts(up: up, degraded: degraded, down: down, latency: LatencyHistogram()))
                        }
                    }
                }
            }
            return totals
        }
    }

    /// Every batch writes its minute, hour and day rows at once here.
    public func rollupsFoldedBeforeMs() async throws -> Int64 { Int64.max }

    static func probeCounts(up: Int64, degraded: Int64, down: Int64, latency: ByteBuffer) -> ProbeCounts {
        ProbeCounts(
            up: up, degraded: degraded, down: down,
            latency: LatencyHistogram(encoded: Array(latency.readableBytesView)) ?? LatencyHistogram()
        )
    }

    /// Moves the deltas into `rollups` first, then deletes its minute rows before the cutoff, holding
    /// the compaction lock (a compaction running meanwhile would write a pruned row back).
    public func pruneMinuteRollups(before cutoffMs: Int64) async throws -> Int {
        try await transaction("pruning minute rollups") { connection, logger in
            try await Self.moveAllRollupDeltas(connection, logger: logger)
            return try await Self.changed(
                connection, "DELETE FROM rollups WHERE resolution_ms = \(RollupResolution.minute.rawValue) AND start_ms < \(cutoffMs)", logger: logger
            )
        }
    }

    /// Moves the rollup deltas committed so far into `rollups` (``moveRollupDeltas(_:limit:logger:)``),
    /// 20,000 at a time, each in its own transaction; a replica compacting already makes this a no-op.
    public func compactRollups(nowMs: Int64) async throws -> Int {
        try await compact(.rollups, "compacting rollups") { connection, logger in
            try await Self.moveRollupDeltas(connection, limit: Self.compactionChunk, logger: logger)
        }
    }
}
