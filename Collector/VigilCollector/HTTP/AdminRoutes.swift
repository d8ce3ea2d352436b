import Hummingbird
import VigilCore
import VigilWire

/// Administrative writes: registering agents and revoking their tokens.
struct AdminRoutes: Sendable {
    let store: any CredentialStore
    let authenticator: Authenticator

    /// `POST /v1/agents {"name": ..., "replace": false}` → `201 {"name", "token"}`; 409 when the name is
    /// taken, unless `replace` is true: then that agent gets the new token (`200`) and its old one stops working.
    func addAgent(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let body = try await JSONBody.decode(AgentCreateRequest.self, from: request)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard Self.isValidName(name) else {
            throw APIError.badRequest("agent name must be 1–64 characters of letters, digits, '.', '-' or '_'")
        }
        let scope = try body.services.map(Self.scope)
        let token = Tokens.generate(prefix: "vigil_agt_")
        do {
            _ = try await store.registerAgent(name: name, tokenHash: Tokens.hash(token), nowMs: WallClock.nowMs())
        } catch let error as StoreError where error.code == .alreadyExists {
            guard body.replace == true else { throw APIError(.conflict, code: "already_exists", error.message) }
            try await store.replaceAgentToken(name: name, tokenHash: Tokens.hash(token))
            if let scope { try await store.setAgentScope(name: name, scope: scope) }
            context.logger.notice("replaced agent token", metadata: ["agent": "\(name)"])
            return JSONBody.response(AgentCreated(name: name, token: token), status: .ok)
        }
        if let scope { try await store.setAgentScope(name: name, scope: scope) }
        context.logger.notice("registered agent", metadata: ["agent": "\(name)", "services": "\(scope?.description ?? "any")"])
        return JSONBody.response(AgentCreated(name: name, token: token), status: .created)
    }

    /// `POST /v1/agents/{name}/scope {"services": ["api", "web-*"]}` (or `null` for any) → `200` with the
    /// agent: from its next batch on, it may report only those services. 404 for an unknown name.
    func setScope(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let name = try context.pathParameter("name")
        let body = try await JSONBody.decode(AgentScopeRequest.self, from: request)
        let scope = try body.services.map(Self.scope)
        try await store.setAgentScope(name: name, scope: scope)
        context.logger.notice("set agent scope", metadata: ["agent": "\(name)", "services": "\(scope?.description ?? "any")"])
        return JSONBody.response(AgentScopeRequest(services: scope?.patterns))
    }

    static func scope(_ patterns: [String]) throws -> ServiceScope {
        do {
            return try ServiceScope(patterns)
        } catch {
            throw APIError.badRequest("services: \(error.message)")
        }
    }

    /// `POST /v1/agents/{name}/revoke` → `200 {"name", "revoked": true}`: the agent's token stops working
    /// at once (its batches get 401); its history stays. 404 for an unknown name.
    func revokeAgent(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let name = try context.pathParameter("name")
        try await store.revokeAgentToken(name: name, nowMs: WallClock.nowMs())
        context.logger.notice("revoked agent token", metadata: ["agent": "\(name)"])
        return JSONBody.response(AgentRevoked(name: name, revoked: true))
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetLite.nameCharacters.contains($0)) }
    }
}

enum CharacterSetLite {
    static let nameCharacters: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_".unicodeScalars
    )
}
