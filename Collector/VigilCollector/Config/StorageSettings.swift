import Foundation
import VigilConfig

/// Which engine keeps the collector's data (DESIGN §9).
///
/// ```yaml
/// storage: sqlite                       # the default: DATA_DIR/vigil.sqlite, nothing to set up
/// storage:
///   postgres:
///     url: postgres://vigil@db:5432/vigil?sslmode=verify-full&sslrootcert=/etc/vigil/db-ca.pem
///     password_file: /run/secrets/vigil-db   # read at start, instead of a password in the URL
///     max_connections: 16                    # pool size per collector
///     connect_timeout: 5s
///     query_timeout: 30s
/// ```
public enum StorageSettings: Sendable, Equatable {
    /// Embedded SQLite in the data directory.
    case sqlite
    /// A PostgreSQL server shared by any number of collectors.
    case postgres(PostgresSettings)

    static let keys: Set<String> = ["storage"]

    /// `sqlite`, or a `postgres://` URL (the `--storage` flag).
    public init(argument: String) throws(PostgresSettingsError) {
        if argument == "sqlite" {
            self = .sqlite
        } else {
            self = .postgres(try PostgresSettings(url: argument))
        }
    }

    static func parse(_ root: ConfigObject) throws(ConfigError) -> StorageSettings {
        guard let section = root.optional("storage") else { return .sqlite }
        if let name = try? section.string() {
            guard name == "sqlite" else { throw section.error("expected sqlite or a postgres: section") }
            return .sqlite
        }
        let object = try section.object(allowedKeys: ["sqlite", "postgres"])
        guard let postgres = object.optional("postgres") else { return .sqlite }
        let fields = try postgres.object(allowedKeys: ["url", "password_file", "max_connections", "connect_timeout", "query_timeout"])
        let urlValue = try fields.required("url")
        let url = try urlValue.nonEmptyString()
        var settings: PostgresSettings
        do {
            settings = try PostgresSettings(url: url)
        } catch {
            throw urlValue.error(error.message)
        }
        if let file = fields.optional("password_file") {
            let path = try file.nonEmptyString()
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw file.error("cannot read \(path)") }
            settings.password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let size = fields.optional("max_connections") {
            let value = try size.int()
            guard (1...1_000).contains(value) else { throw size.error("must be between 1 and 1000") }
            settings.maxConnections = value
        }
        if let timeout = fields.optional("connect_timeout") { settings.connectTimeoutMs = try positive(timeout) }
        if let timeout = fields.optional("query_timeout") { settings.queryTimeoutMs = try positive(timeout) }
        return .postgres(settings)
    }

    private static func positive(_ value: ConfigValue) throws(ConfigError) -> Int64 {
        let ms = try value.durationMs()
        guard ms > 0 else { throw value.error("must be more than 0") }
        return ms
    }
}
