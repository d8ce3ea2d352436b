import Foundation
import Logging
import PostgresNIO
import VigilCollector

/// The engines the store tests run on: SQLite always, PostgreSQL when the test command started a
/// server and named it in `VIGIL_TEST_POSTGRES_URL` (scripts/with_postgres.sh).
public enum StoreEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The server the PostgreSQL runs use, from `VIGIL_TEST_POSTGRES_URL`.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// SQLite, and PostgreSQL when a server is given.
    public static var available: [StoreEngine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// The CA that signed the test server's certificate, when it serves TLS (`VIGIL_TEST_POSTGRES_CA`).
    public static var postgresCA: String? {
        ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// PostgreSQL, when the server given serves TLS with a known CA.
    public static var postgresWithTLS: [StoreEngine] { postgresURL == nil || postgresCA == nil ? [] : [.postgres] }

    /// Only PostgreSQL, when a server is given.
    public static var postgresOnly: [StoreEngine] { postgresURL == nil ? [] : [.postgres] }

    public var description: String { rawValue }
}

/// A PostgreSQL database of its own for one test, on the server in `VIGIL_TEST_POSTGRES_URL`.
public struct TestDatabase: Sendable {
    /// Settings that reach it.
    public let settings: PostgresSettings

    /// Creates an empty database with a random name.
    public static func create() async throws -> TestDatabase {
        guard let url = StoreEngine.postgresURL else { throw StoreError(.unavailable, "VIGIL_TEST_POSTGRES_URL is not set") }
        var server = try PostgresSettings(url: url)
        let name = "vigil_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await admin(server, "CREATE DATABASE \(name)")
        server.database = name
        return TestDatabase(settings: server)
    }

    /// Drops the database (connections still open are ended).
    public func drop() async {
        var server = settings
        server.database = (try? PostgresSettings(url: StoreEngine.postgresURL ?? ""))?.database ?? "postgres"
        try? await Self.admin(server, "DROP DATABASE IF EXISTS \(settings.database) WITH (FORCE)")
    }

    /// Runs one statement on `settings`' database.
    public static func admin(_ settings: PostgresSettings, _ sql: String) async throws {
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: .disable
        )
        configuration.options.connectTimeout = .seconds(5)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "vigil.test.pg"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "vigil.test.pg"))
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A store for one test on `engine`; `body` gets it, then the store is closed and its data deleted.
public func withTestStore<T>(_ engine: StoreEngine, _ body: (any Store) async throws -> T) async throws -> T {
    switch engine {
    case .sqlite:
        let directory = try TemporaryDirectory("vigil-store")
        defer { directory.remove() }
        return try await body(try SQLiteStore(path: directory.path + "/vigil.sqlite"))
    case .postgres:
        let database = try await TestDatabase.create()
        var logger = Logger(label: "vigil.test.postgres")
        logger.logLevel = .warning
        let store = try await PostgresStore.open(database.settings, logger: logger)
        do {
            let value = try await body(store)
            await store.close()
            await database.drop()
            return value
        } catch {
            await store.close()
            await database.drop()
            throw error
        }
    }
}
