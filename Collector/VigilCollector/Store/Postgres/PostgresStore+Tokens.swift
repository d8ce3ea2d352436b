import Logging
import PostgresNIO

extension PostgresStore {
    public func addAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws {
        _ = try await change("adding an API token", """
            INSERT INTO admin_tokens (token_hash, note, scope, created_ms) VALUES (\(hash), \(name), \(scope.rawValue), \(nowMs))
            ON CONFLICT (token_hash) DO NOTHING
            """)
    }

    public func createAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws -> APITokenRecord {
        try await transaction("creating an API token") { connection, logger in
            try await Self.lockTokens(connection, logger: logger)
            let taken = try await connection.query("SELECT 1 FROM admin_tokens WHERE note = \(name) AND scope <> 'revoked'", logger: logger).collect()
            guard taken.isEmpty else { throw StoreError(.alreadyExists, "a token named \"\(name)\" already exists") }
            let rows = try await connection.query("""
                INSERT INTO admin_tokens (token_hash, note, scope, created_ms) VALUES (\(hash), \(name), \(scope.rawValue), \(nowMs))
                RETURNING id
                """, logger: logger).collect()
            guard let id = try rows.first?.decode(Int64.self) else {
                throw StoreError(.unavailable, "PostgreSQL returned no id creating an API token")
            }
            return APITokenRecord(id: id, name: name, scope: scope, createdMs: nowMs)
        }
    }

    public func apiTokenScope(hash: String) async throws -> TokenScope? {
        try await fetch("checking a token", "SELECT scope FROM admin_tokens WHERE token_hash = \(hash)", as: TokenScope?.self) { row in
            TokenScope(rawValue: try row.decode(String.self))
        }.first ?? nil
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        try await fetch("listing API tokens", "SELECT id, note, scope, created_ms FROM admin_tokens ORDER BY note, id", as: APITokenRecord?.self) { row in
            let (id, name, scope, created) = try row.decode((Int64, String, String, Int64).self)
            return TokenScope(rawValue: scope).map { APITokenRecord(id: id, name: name, scope: $0, createdMs: created) }
        }.compactMap { $0 }
    }

    public func revokeAPITokens(name: String) async throws -> Int {
        try await transaction("revoking an API token") { connection, logger in
            try await Self.lockTokens(connection, logger: logger)
            let named = try await connection.query("SELECT 1 FROM admin_tokens WHERE note = \(name) AND scope <> 'revoked'", logger: logger).collect().count
            guard named > 0 else { throw StoreError(.notFound, "no token named \"\(name)\"") }
            let otherAdmins = try await connection.query(
                "SELECT 1 FROM admin_tokens WHERE note <> \(name) AND scope = 'admin' LIMIT 1", logger: logger
            ).collect()
            guard !otherAdmins.isEmpty else { throw StoreError.lastAdminToken(name) }
            return try await Self.changed(connection, "UPDATE admin_tokens SET scope = 'revoked' WHERE note = \(name) AND scope <> 'revoked'", logger: logger)
        }
    }

    /// Serialises token changes between replicas, so two revocations cannot both leave the other as the
    /// last admin token, and two creations cannot take the same name.
    static func lockTokens(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("LOCK TABLE admin_tokens IN SHARE ROW EXCLUSIVE MODE", logger: logger)
    }
}
