import Logging
import PostgresNIO

/// The leader lock on PostgreSQL: a session advisory lock held on a connection of its own (DESIGN §9).
///
/// The lock lives as long as that connection: a leader killed with SIGKILL loses its socket, the server
/// frees the lock at once, and the next replica to try gets it. Every try also checks the connection
/// answers within the connect timeout; when it does not, the connection is dropped and leadership with it.
actor PostgresLeaderLock: LeaderLock {
    /// The advisory lock key ("VIGILLDR").
    static let key: Int64 = 0x5649_4749_4C4C_4452

    let settings: PostgresSettings
    let logger: Logger
    private var connection: PostgresConnection?
    private var held = false

    init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    func acquireOrConfirm() async throws -> Bool {
        do {
            let connection = try await connected()
            let logger = self.logger
            let wasHeld = held
            let got = try await withDeadline(ms: settings.connectTimeoutMs, "the leader lock") {
                // A held lock is confirmed by checking the session still has it.
                let query: PostgresQuery = wasHeld
                    ? "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
                    : "SELECT pg_try_advisory_lock(\(Self.key))"
                let rows = try await connection.query(query, logger: logger).collect()
                return try rows[0].decode(Bool.self)
            }
            held = got
            return got
        } catch {
            await drop()
            throw error
        }
    }

    func release() async {
        if held, let connection {
            _ = try? await withDeadline(ms: settings.connectTimeoutMs, "releasing the leader lock") { [logger] in
                try await connection.query("SELECT pg_advisory_unlock(\(Self.key))", logger: logger)
                return true
            }
        }
        await drop()
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        held = false
        let fresh = try await settings.connect(logger: logger)
        connection = fresh
        return fresh
    }

    private func drop() async {
        held = false
        if let connection {
            self.connection = nil
            await connection.close(within: settings.connectTimeoutMs)
        }
    }
}
