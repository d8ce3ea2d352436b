import Foundation
import GRDB
import Logging
import PostgresNIO

/// `vigil-collector migrate`: shows and applies schema migrations of either engine. Collectors also
/// migrate at start-up; running it ahead of a rolling upgrade keeps the schema change out of start-up.
public enum StoreMigrations {
    /// Where a database's schema stands.
    public struct Status: Sendable, Hashable {
        /// `sqlite (path)` or `postgresql (host:port/db as user)`.
        public var engine: String
        /// Migrations already applied, oldest first.
        public var applied: [String]
        /// Migrations this collector knows that are not applied yet.
        public var pending: [String]
    }

    /// The schema's status, then (unless `dryRun`) applies what is pending; returns the status before.
    public static func run(
        storage: StorageSettings, dataDirectory: String, dryRun: Bool, logger: Logger
    ) async throws -> Status {
        switch storage {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            let path = (dataDirectory as NSString).appendingPathComponent("vigil.sqlite")
            do {
                let queue = try DatabaseQueue(path: path)
                let migrator = SQLiteStore.migrator
                let applied = try await queue.read { db in try migrator.appliedMigrations(db) }
                let status = Status(
                    engine: "sqlite (\(path))", applied: applied, pending: migrator.migrations.filter { !applied.contains($0) }
                )
                if !dryRun { try migrator.migrate(queue) }
                return status
            } catch {
                throw StoreError(.unavailable, "cannot migrate SQLite store at \(path): \(error)")
            }
        case .postgres(let settings):
            let connection = try await settings.connect(logger: logger)
            do {
                let status = try await postgresStatus(connection, settings: settings, logger: logger)
                if !dryRun {
                    _ = try await withDeadline(ms: max(settings.queryTimeoutMs, 60_000), "the schema migration") {
                        try await PostgresMigrations.migrate(connection, logger: logger)
                    }
                }
                await connection.close(within: settings.connectTimeoutMs)
                return status
            } catch {
                await connection.close(within: settings.connectTimeoutMs)
                throw error
            }
        }
    }

    private static func postgresStatus(_ connection: PostgresConnection, settings: PostgresSettings, logger: Logger) async throws -> Status {
        let done = try await withDeadline(ms: settings.queryTimeoutMs, "reading the schema version") {
            try await PostgresMigrations.applied(connection, logger: logger)
        }
        let name = { (migration: PostgresMigrations.Migration) in "v\(migration.version) \(migration.name)" }
        return Status(
            engine: "postgresql (\(settings.displayName))",
            applied: PostgresMigrations.all.filter { done.contains($0.version) }.map(name),
            pending: PostgresMigrations.all.filter { !done.contains($0.version) }.map(name)
        )
    }
}
