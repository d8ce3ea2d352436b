import Foundation
import GRDB
import VigilCore

/// The embedded store: one SQLite file through GRDB, in WAL mode, migrated on open.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    /// Commits ingest's batches in groups (issue 20).
    let committer: GroupCommitter<PlannedBatch, IngestOutcome>
    /// Each agent's session's checks, for the plans requests work out before the writer.
    let sessions = SessionCache()
    /// Each check's newest interval, as ingest last wrote it.
    let tips = TipCache()
    /// Lets the outage feed's reader wait for commits to reach memory.
    let publication = CommitPublication()
    /// Newest heartbeats, growing tips and minute rollups committed batches changed and the store has not
    /// written yet.
    let writeBehind: WriteBehind
    /// What ingest shares with the outage tracker.
    public let outageFeed: OutageFeed

    /// Opens (creating and migrating when needed) the database at `path`.
    ///
    /// - Parameters:
    ///   - onCommit: told how many batch requests each ingest transaction held.
    ///   - outageFeed: shared with the outage tracker (its success thresholds come from the catalog).
    ///   - writeBehind: when what ingest holds is written (``WriteBehind/Settings``).
    init(
        path: String, onCommit: (@Sendable (_ batches: Int) -> Void)? = nil, outageFeed: OutageFeed = OutageFeed(),
        writeBehind settings: WriteBehind.Settings
    ) throws {
        committer = GroupCommitter(onCommit: onCommit)
        self.outageFeed = outageFeed
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            db.add(function: Self.histogramAdd)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            try Self.indexStoredRawBatches(pool)
            writeBehind = WriteBehind(settings: settings, state: try pool.write { try Self.replayDeferred($0) }, tips: tips)
            outageFeed.load(latestEnds: try pool.read(Self.latestEnds))
        } catch {
            throw StoreError(.unavailable, "cannot open SQLite store at \(path): \(error)")
        }
    }

    /// Opens (creating and migrating when needed) the database at `path`, writing behind ingest with the
    /// default ``WriteBehind/Settings``.
    public convenience init(path: String, onCommit: (@Sendable (_ batches: Int) -> Void)? = nil, outageFeed: OutageFeed = OutageFeed()) throws {
        try self.init(path: path, onCommit: onCommit, outageFeed: outageFeed, writeBehind: WriteBehind.Settings())
    }

    // MARK: Agents

    public func registerAgent(name: String, tokenHash: String, nowMs: Int64) async throws -> AgentRecord {
        try await writing { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM agents WHERE name = ?", arguments: [name]) ?? false {
                throw StoreError(.alreadyExists, "an agent named \"\(name)\" already exists")
            }
            try db.execute(
                sql: "INSERT INTO agents (name, token_hash, created_ms) VALUES (?, ?, ?)",
                arguments: [name, tokenHash, nowMs]
            )
            return AgentRecord(id: db.lastInsertedRowID, name: name, createdMs: nowMs)
        }
    }

    public func replaceAgentToken(name: String, tokenHash: String) async throws {
        try await writing { db in
            try db.execute(sql: "UPDATE agents SET token_hash = ? WHERE name = ?", arguments: [tokenHash, name])
            if db.changesCount == 0 { throw StoreError(.notFound, "no agent named \"\(name)\"") }
        }
    }

    public func setAgentScope(name: String, scope: ServiceScope?) async throws {
        let text = try scope.map(Self.scopeText)
        try await writing { db in
            try db.execute(sql: "UPDATE agents SET service_scope = ? WHERE name = ?", arguments: [text, name])
            if db.changesCount == 0 { throw StoreError(.notFound, "no agent named \"\(name)\"") }
        }
    }

    public func agent(tokenHash: String) async throws -> AgentRecord? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agents WHERE token_hash = ?", arguments: [tokenHash])
                .map(Self.agentRecord)
        }
    }

    public func agents() async throws -> [AgentRecord] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agents ORDER BY name").map(Self.agentRecord)
        }
    }

    static func agentRecord(_ row: Row) -> AgentRecord {
        AgentRecord(
            id: row["id"], name: row["name"], createdMs: row["created_ms"], lastSeenMs: row["last_seen_ms"],
            agentVersion: row["agent_version"], sessionID: row["session_id"], batches: row["batches"],
            heartbeats: row["heartbeats"], dropped: row["dropped"], lastHeartbeatMs: row["last_heartbeat_ms"],
            revoked: Tokens.isRevoked(storedHash: row["token_hash"]),
            clockOffsetMs: row["clock_offset_ms"], clockAdjustMs: row["clock_adjust_ms"], scope: scope(row["service_scope"])
        )
    }

    // MARK: Reading

    public func services() async throws -> [String] {
        try await reading { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT service FROM checks ORDER BY service")
        }
    }

    public func checks(service: String) async throws -> [CheckRecord] {
        try await fetchChecks(filter: "WHERE service = ?", arguments: [service])
    }

    public func allChecks() async throws -> [CheckRecord] {
        try await fetchChecks(filter: "", arguments: [])
    }

    public func checks(kind: String) async throws -> [CheckRecord] {
        try await fetchChecks(filter: "WHERE checks.kind = ?", arguments: [kind])
    }

    /// Checks with their agent's name, by service, agent and check name.
    /// Newest heartbeats still held by ``writeBehind`` replace older ones read: the newer one wins
    /// whichever was taken first, so they are looked up after the read, for the checks read only (no
    /// copy of everything held for the writer to duplicate while a reader holds it).
    ///
    /// Rows go one at a time from a cursor into the records and held heartbeats replace old ones in
    /// place: with 100,000 checks, materialized rows and a second array of records each cost about
    /// 30 MB more at the peak of every read of all checks (`/metrics`, SLA evaluation).
    private func fetchChecks(filter: String, arguments: StatementArguments) async throws -> [CheckRecord] {
        var records = try await reading { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT checks.id, agents.name, checks.local_id, checks.name, checks.service, checks.kind, checks.target,
                        checks.interval_ms, checks.timeout_ms, checks.last_ts_ms, checks.last_status, checks.last_latency_us,
                        checks.last_code, checks.last_message
                    FROM checks JOIN agents ON agents.id = checks.agent_id
                    \(filter) ORDER BY checks.service, agents.name, checks.name
                    """,
                arguments: arguments
            )
            // Counted first (the same snapshot): grown by doubling, 100,000 records held 131,072 places
            // and, while growing, the half-size array beside them.
            var records: [CheckRecord] = []
            records.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checks \(filter)", arguments: arguments) ?? 0)
            while let row = try rows.next() { records.append(Self.checkRecord(row)) }
            return records
        }
        let held = writeBehind.heartbeats(of: records.lazy.map(\.id))
        guard !held.isEmpty else { return records }
        for index in records.indices {
            guard let newer = held[index],
                records[index].lastHeartbeat.map({ $0.timestampMs <= newer.timestampMs }) ?? true
            else { continue }
            var heartbeat = newer
            heartbeat.check = records[index].definition.id
            records[index].lastHeartbeat = heartbeat
        }
        return records
    }

    /// A row of ``fetchChecks(filter:arguments:)``, read by position: by name, GRDB lowercases each
    /// column name on every read, which was a tenth of the status page's time with 10,000 checks.
    static func checkRecord(_ row: Row) -> CheckRecord {
        let definition = CheckDefinition(
            id: UInt32(truncatingIfNeeded: row[2] as Int64), name: row[3], service: row[4],
            kind: row[5], target: row[6], intervalMs: UInt32(truncatingIfNeeded: row[7] as Int64),
            timeoutMs: UInt32(truncatingIfNeeded: row[8] as Int64)
        )
        var last: Heartbeat?
        if let ts: Int64 = row[9], let statusText: String = row[10], let status = CheckStatus(rawValue: statusText) {
            last = Heartbeat(
                check: definition.id, timestampMs: ts, status: status,
                latencyUs: UInt32(truncatingIfNeeded: (row[11] as Int64?) ?? 0),
                code: Int32(truncatingIfNeeded: (row[12] as Int64?) ?? 0),
                message: row[13] ?? ""
            )
        }
        return CheckRecord(id: row[0], agentName: row[1], definition: definition, lastHeartbeat: last)
    }

    /// The stored intervals with the tip ``writeBehind`` holds (copied before the read).
    public func intervals(checkID: Int64, overlapping range: TimeRange) async throws -> [StateInterval] {
        let held = writeBehind.tips(of: [checkID])[checkID]
        let runs = try await reading { db in
            try Self.fetchIntervals(db, checkID: checkID, endAfter: range.startMs, startBefore: range.endMs)
        }
        guard let held else { return runs }
        return Self.overlay(runs, tip: held, endAfter: range.startMs, startBefore: range.endMs)
    }

    static func fetchIntervals(_ db: Database, checkID: Int64, endAfter: Int64, startBefore: Int64) throws -> [StateInterval] {
        let statement = try db.cachedStatement(sql: """
            SELECT status, start_ms, end_ms, last_beat_ms, beats, message FROM state_intervals
            WHERE check_id = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms
            """)
        var runs: [StateInterval] = []
        let rows = try Row.fetchCursor(statement, arguments: [checkID, endAfter, startBefore])
        while let row = try rows.next() { runs.append(interval(row)) }
        return runs
    }

    /// A state interval from a row whose first six columns are status, start_ms, end_ms, last_beat_ms,
    /// beats and message (read by position: name lookups cost more than the rest of the read).
    static func interval(_ row: Row) -> StateInterval {
        StateInterval(
            status: CheckStatus(rawValue: row[0]) ?? .unknown,
            startMs: row[1], endMs: row[2], lastBeatMs: row[3], beats: row[4], message: row[5]
        )
    }

    public func rawBatchCount(agentID: Int64) async throws -> Int {
        try await reading { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_batches WHERE agent_id = ?", arguments: [agentID]) ?? 0
        }
    }
}
