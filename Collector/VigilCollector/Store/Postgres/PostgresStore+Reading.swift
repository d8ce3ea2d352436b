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

    /// Checks with their agent's name, by service, agent and check name.
    static func checksQuery(service: String?) -> PostgresQuery {
        """
        SELECT checks.id, agents.name, checks.local_id, checks.name, checks.service, checks.kind, checks.target,
            checks.interval_ms, checks.timeout_ms, checks.last_ts_ms, checks.last_status, checks.last_latency_us,
            checks.last_code, checks.last_message
        FROM checks JOIN agents ON agents.id = checks.agent_id
        WHERE \(service)::TEXT IS NULL OR checks.service = \(service)
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

    public func probeCounts(over ranges: [String: [TimeRange]]) async throws -> [String: ProbeCounts] {
        let covers = ranges.mapValues(RollupCover.init)
        return try await withConnection("reading probe rollups") { connection, logger in
            var totals: [String: ProbeCounts] = [:]
            for (service, cover) in covers {
                var total = ProbeCounts()
                for (resolution, (first, last)) in cover.bounds {
                    let wanted = cover.keys[resolution] ?? []
                    let rows = try await connection.query("""
                        SELECT start_ms, up, degraded, down, latency FROM rollups
                        WHERE service = \(service) AND resolution_ms = \(resolution) AND start_ms BETWEEN \(first) AND \(last)
                        """, logger: logger)
                    for try await (start, up, degraded, down, latency) in rows.decode((Int64, Int64, Int64, Int64, ByteBuffer).self)
                    where wanted.contains(start) {
                        total.add(Self.probeCounts(up: up, degraded: degraded, down: down, latency: latency))
                    }
                }
                totals[service] = total
            }
            return totals
        }
    }

    static func probeCounts(up: Int64, degraded: Int64, down: Int64, latency: ByteBuffer) -> ProbeCounts {
        ProbeCounts(
            up: up, degraded: degraded, down: down,
            latency: LatencyHistogram(encoded: Array(latency.readableBytesView)) ?? LatencyHistogram()
        )
    }

    public func pruneMinuteRollups(before cutoffMs: Int64) async throws -> Int {
        try await change(
            "pruning minute rollups",
            "DELETE FROM rollups WHERE resolution_ms = \(RollupResolution.minute.rawValue) AND start_ms < \(cutoffMs)"
        )
    }
}
