import Hummingbird

/// Resolves bearer tokens to agents or admins.
struct Authenticator: Sendable {
    let store: any Store

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

    /// Passes when the request carries an admin token; 401 otherwise.
    func requireAdmin(_ request: Request) async throws {
        guard let token = Tokens.bearer(request.headers[.authorization]) else {
            throw APIError.unauthorized("missing bearer token: send Authorization: Bearer <admin token> (see DATA_DIR/admin.token)")
        }
        guard try await store.isAdminToken(hash: Tokens.hash(token)) else {
            throw APIError.unauthorized("not an admin token")
        }
    }
}
