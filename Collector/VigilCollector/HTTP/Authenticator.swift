import Hummingbird

/// Resolves bearer tokens to agents or admins.
struct Authenticator: Sendable {
    let store: any CredentialStore

    /// The agent whose token the request carries; 401 otherwise.
    func agent(_ request: Request) async throws -> AgentRecord {
        guard let token = Tokens.bearer(request.headers[.authorization]) else {
            throw APIError.unauthorized("missing bearer token: send Authorization: Bearer <agent token>")
        }
        guard let agent = try await store.agent(tokenHash: Tokens.hash(token)) else {
            throw APIError.unauthorized("unknown agent token")
        }
        return agent
    }

    /// Passes when the request carries an admin-scoped API token; 401 without a known token, 403 with a
    /// read-only one.
    func requireAdmin(_ request: Request) async throws {
        try await require(.admin, request)
    }

    /// Passes when the request carries an API token of any scope (read-only or admin).
    func requireRead(_ request: Request) async throws {
        try await require(.read, request)
    }

    /// Passes when the request's API token allows `needed`.
    func require(_ needed: TokenScope, _ request: Request) async throws {
        guard let token = Tokens.bearer(request.headers[.authorization]) else {
            throw APIError.unauthorized("missing bearer token: send Authorization: Bearer <API token> (see DATA_DIR/admin.token)")
        }
        guard let scope = try await store.apiTokenScope(hash: Tokens.hash(token)) else {
            throw APIError.unauthorized("unknown API token")
        }
        guard scope.allows(needed) else {
            throw APIError.forbidden("this token is \(scope.rawValue)-only; this request needs a token with the \(needed.rawValue) scope")
        }
    }
}
