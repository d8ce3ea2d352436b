import GRDB

extension SQLiteStore {
    public func addAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws {
        try await writing { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO admin_tokens (token_hash, note, scope, created_ms) VALUES (?, ?, ?, ?)",
                arguments: [hash, name, scope.rawValue, nowMs]
            )
        }
    }

    public func createAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws -> APITokenRecord {
        try await writing { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM admin_tokens WHERE note = ? AND scope <> 'revoked'", arguments: [name]) ?? false {
                throw StoreError(.alreadyExists, "a token named \"\(name)\" already exists")
            }
            try db.execute(
                sql: "INSERT INTO admin_tokens (token_hash, note, scope, created_ms) VALUES (?, ?, ?, ?)",
                arguments: [hash, name, scope.rawValue, nowMs]
            )
            return APITokenRecord(id: db.lastInsertedRowID, name: name, scope: scope, createdMs: nowMs)
        }
    }

    public func apiTokenScope(hash: String) async throws -> TokenScope? {
        try await reading { db in
            try String.fetchOne(db, sql: "SELECT scope FROM admin_tokens WHERE token_hash = ?", arguments: [hash])
                .flatMap(TokenScope.init(rawValue:))
        }
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT id, note, scope, created_ms FROM admin_tokens ORDER BY note, id").compactMap { row in
                TokenScope(rawValue: row[2]).map { APITokenRecord(id: row[0], name: row[1], scope: $0, createdMs: row[3]) }
            }
        }
    }

    public func revokeAPITokens(name: String) async throws -> Int {
        try await writing { db in
            let named = try Int.fetchOne(db, sql: "SELECT count(*) FROM admin_tokens WHERE note = ? AND scope <> 'revoked'", arguments: [name]) ?? 0
            guard named > 0 else { throw StoreError(.notFound, "no token named \"\(name)\"") }
            let otherAdmins = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM admin_tokens WHERE note <> ? AND scope = 'admin'", arguments: [name]
            ) ?? 0
            guard otherAdmins > 0 else { throw StoreError.lastAdminToken(name) }
            try db.execute(sql: "UPDATE admin_tokens SET scope = 'revoked' WHERE note = ? AND scope <> 'revoked'", arguments: [name])
            return db.changesCount
        }
    }
}

extension StoreError {
    /// Revoking `name` would leave nobody able to administer the collector.
    static func lastAdminToken(_ name: String) -> StoreError {
        StoreError(.refused, "\"\(name)\" holds the last admin token; create another admin token before revoking it")
    }
}
