import Logging
import PostgresNIO
import VigilCore

/// The shared store for several collectors (DESIGN §9): PostgreSQL through postgres-nio's pooled client.
///
/// ``open(_:logger:)`` checks the server answers (a wrong password or a dead server is an error within
/// the connect timeout), migrates the schema, then starts the pool; every operation has a deadline.
/// Call ``close()`` when done.
public final class PostgresStore: Store {
    /// Where it is connected.
    public let settings: PostgresSettings
    let client: PostgresClient
    let logger: Logger
    /// What ingest shares with the outage tracker (loaded at open; the tracker keeps it current).
    public let outageFeed: OutageFeed
    private let runner: Task<Void, Never>

    private init(settings: PostgresSettings, client: PostgresClient, logger: Logger, outageFeed: OutageFeed) {
        self.settings = settings
        self.outageFeed = outageFeed
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Connects, migrates the schema to the newest version and starts the connection pool.
    public static func open(
        _ settings: PostgresSettings, logger: Logger = Logger(label: "vigil.postgres"), outageFeed: OutageFeed = OutageFeed()
    ) async throws -> PostgresStore {
        let connection = try await settings.connect(logger: logger)
        do {
            _ = try await withDeadline(ms: max(settings.queryTimeoutMs, 60_000), "the schema migration") {
                try await PostgresMigrations.migrate(connection, logger: logger)
            }
            try await indexStoredRawBatches(connection, logger: logger)
            outageFeed.load(latestEnds: try await latestEnds(connection, logger: logger))
        } catch {
            await connection.close(within: settings.connectTimeoutMs)
            throw error as? StoreError ?? StoreError(.unavailable, "cannot migrate \(settings.displayName): \(describePostgresError(error))")
        }
        await connection.close(within: settings.connectTimeoutMs)
        return PostgresStore(
            settings: settings, client: PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: logger), logger: logger,
            outageFeed: outageFeed
        )
    }

    /// Stops the pool; later calls fail. Waits for its connections to close for at most the connect
    /// timeout (at least 5 s), then leaves them: a collector's shutdown must not hang on its database.
    public func close() async {
        runner.cancel()
        let runner = self.runner
        let waitMs = max(settings.connectTimeoutMs, 5_000)
        do {
            _ = try await withDeadline(ms: waitMs, "closing its connections") {
                await runner.value
                return true
            }
        } catch {
            logger.warning("PostgreSQL connections did not close in time; leaving them", metadata: ["error": "\(describePostgresError(error))"])
        }
    }

    deinit { runner.cancel() }

    // MARK: Running queries

    /// Runs `body` on a pooled connection within the query deadline.
    func withConnection<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let client = self.client
        let logger = self.logger
        do {
            return try await withDeadline(ms: settings.queryTimeoutMs + settings.connectTimeoutMs, what) {
                try await client.withConnection { connection in try await body(connection, logger) }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw StoreError(.unavailable, "PostgreSQL failed \(what): \(describePostgresError(error))")
        }
    }

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws), within
    /// the query deadline. A ``StoreError`` thrown by `body` comes out unchanged.
    func transaction<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        try await withConnection(what) { connection, logger in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection, logger)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// All rows of a query, decoded as `type`.
    func fetch<Row: Sendable>(
        _ what: String, _ query: PostgresQuery, as type: Row.Type, decode: @escaping @Sendable (PostgresRow) throws -> Row
    ) async throws -> [Row] {
        try await withConnection(what) { connection, logger in
            try await connection.query(query, logger: logger).collect().map(decode)
        }
    }

    /// Runs an `INSERT … RETURNING id` and gives the new row's id.
    func insertReturningID(_ what: String, _ query: PostgresQuery) async throws -> Int64 {
        let ids = try await fetch(what, query, as: Int64.self) { try $0.decode(Int64.self) }
        guard let id = ids.first else { throw StoreError(.unavailable, "PostgreSQL returned no id \(what)") }
        return id
    }

    /// Runs a statement and returns how many rows it changed.
    func change(_ what: String, _ query: PostgresQuery) async throws -> Int {
        try await withConnection(what) { connection, logger in try await Self.changed(connection, query, logger: logger) }
    }

    /// Runs a statement on `connection` and returns how many rows it changed (counted with `RETURNING 1`).
    static func changed(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var query = query
        query.sql += " RETURNING 1"
        return try await connection.query(query, logger: logger).collect().count
    }

    // MARK: Agents

    static let agentColumns = """
        id, name, created_ms, last_seen_ms, agent_version, session_id, batches, heartbeats, dropped, last_heartbeat_ms, token_hash,
        clock_offset_ms, clock_adjust_ms, service_scope
        """

    public func registerAgent(name: String, tokenHash: String, nowMs: Int64) async throws -> AgentRecord {
        let ids = try await fetch("registering an agent", """
            INSERT INTO agents (name, token_hash, created_ms) VALUES (\(name), \(tokenHash), \(nowMs))
            ON CONFLICT (name) DO NOTHING RETURNING id
            """, as: Int64.self) { try $0.decode(Int64.self) }
        guard let id = ids.first else { throw StoreError(.alreadyExists, "an agent named \"\(name)\" already exists") }
        return AgentRecord(id: id, name: name, createdMs: nowMs)
    }

    public func replaceAgentToken(name: String, tokenHash: String) async throws {
        let changed = try await change("replacing an agent token", "UPDATE agents SET token_hash = \(tokenHash) WHERE name = \(name)")
        if changed == 0 { throw StoreError(.notFound, "no agent named \"\(name)\"") }
    }

    public func setAgentScope(name: String, scope: ServiceScope?) async throws {
        let text = try scope.map(Self.scopeText)
        let changed = try await change("setting an agent's scope", "UPDATE agents SET service_scope = \(text) WHERE name = \(name)")
        if changed == 0 { throw StoreError(.notFound, "no agent named \"\(name)\"") }
    }

    public func agent(tokenHash: String) async throws -> AgentRecord? {
        try await fetch(
            "finding an agent", "SELECT \(unescaped: Self.agentColumns) FROM agents WHERE token_hash = \(tokenHash)",
            as: AgentRecord.self, decode: Self.agentRecord
        ).first
    }

    public func agents() async throws -> [AgentRecord] {
        try await fetch("listing agents", "SELECT \(unescaped: Self.agentColumns) FROM agents ORDER BY name", as: AgentRecord.self, decode: Self.agentRecord)
    }

    static func agentRecord(_ row: PostgresRow) throws -> AgentRecord {
        let (id, name, created, lastSeen, version, session, batches, heartbeats, dropped, lastBeat, tokenHash, offset, adjust, scopeText) = try row.decode(
            (Int64, String, Int64, Int64?, String?, String?, Int64, Int64, Int64, Int64?, String, Int64?, Int64?, String?).self
        )
        return AgentRecord(
            id: id, name: name, createdMs: created, lastSeenMs: lastSeen, agentVersion: version, sessionID: session,
            batches: batches, heartbeats: heartbeats, dropped: dropped, lastHeartbeatMs: lastBeat,
            revoked: Tokens.isRevoked(storedHash: tokenHash), clockOffsetMs: offset, clockAdjustMs: adjust, scope: scope(scopeText)
        )
    }

    public func rawBatchCount(agentID: Int64) async throws -> Int {
        try await fetch("counting raw batches", "SELECT COUNT(*) FROM raw_batches WHERE agent_id = \(agentID)", as: Int64.self) {
            try $0.decode(Int64.self)
        }.first.map(Int.init) ?? 0
    }
}
