import Hummingbird
import VigilWire

/// Operator API tokens: `read` ones for dashboards and scripts that only look, `admin` ones for
/// everything. All three routes need an admin token.
struct TokenRoutes: Sendable {
    let store: any CredentialStore
    let authenticator: Authenticator

    /// `GET /v1/tokens` → every token's name, scope and creation time (never the token).
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let tokens = try await store.apiTokens().map { record in
            TokenInfo(name: record.name, scope: record.scope.rawValue, createdAt: ISOTime.format(ms: record.createdMs))
        }
        return JSONBody.response(tokens)
    }

    /// `POST /v1/tokens {"name": ..., "scope": "read"|"admin"}` → `201` with the token, shown this once.
    /// 409 when the name is taken.
    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let body = try await JSONBody.decode(TokenCreateRequest.self, from: request)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard AdminRoutes.isValidName(name) else {
            throw APIError.badRequest("token name must be 1–64 characters of letters, digits, '.', '-' or '_'")
        }
        guard let scope = TokenScope(rawValue: body.scope) else {
            throw APIError.badRequest("scope must be \"read\" or \"admin\", not \"\(body.scope)\"")
        }
        let token = Tokens.generate(prefix: scope == .admin ? "vigil_adm_" : "vigil_read_")
        let record = try await store.createAPIToken(hash: Tokens.hash(token), name: name, scope: scope, nowMs: WallClock.nowMs())
        context.logger.notice("created an API token", metadata: ["name": "\(name)", "scope": "\(scope.rawValue)"])
        let info = TokenInfo(name: record.name, scope: record.scope.rawValue, createdAt: ISOTime.format(ms: record.createdMs), token: token)
        return JSONBody.response(info, status: .created)
    }

    /// `DELETE /v1/tokens/{name}` → `204`: the token stops working at once. 404 for an unknown name; 409
    /// when it is the last admin token.
    func revoke(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let name = try context.pathParameter("name")
        _ = try await store.revokeAPITokens(name: name)
        context.logger.notice("revoked an API token", metadata: ["name": "\(name)"])
        return Response(status: .noContent)
    }
}
