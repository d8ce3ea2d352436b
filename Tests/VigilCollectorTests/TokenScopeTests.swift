import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("API token scopes")
struct TokenScopeTests {
    /// Every read route of the operator API, with arguments that make it answer 200 for a valid token.
    static let readRoutes = [
        "/v1/services", "/v1/services/web/uptime", "/v1/services/web/sla", "/v1/report", "/v1/outages",
        "/v1/tickets", "/v1/report/tickets", "/v1/alerts", "/v1/silences", "/v1/maintenance", "/v1/agents", "/v1/replicas",
    ]

    static func delete(_ port: Int, _ path: String, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .DELETE
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test("a read token reads everything and changes nothing; only admins manage tokens", arguments: StoreEngine.available)
    func scopes(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let agentToken = try await harness.addAgent("edge-1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 120_000
            let batch = BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: start, statuses: [.up, .up]))
            #expect(try await IngestTests.post(port, body: batch, token: agentToken).status == 200)

            let admin = CollectorClientForTests(port: port, token: harness.collector.adminToken)
            let created = try await admin.post("/v1/tokens", ["name": "grafana", "scope": "read"])
            #expect(created.0 == 201)
            let info = try JSONDecoder().decode(TokenInfo.self, from: created.1)
            let readToken = try #require(info.token)
            #expect(info.scope == "read" && readToken.hasPrefix("vigil_read_"))
            #expect(try await admin.post("/v1/tokens", ["name": "grafana", "scope": "read"]).0 == 409)
            #expect(try await admin.post("/v1/tokens", ["name": "x", "scope": "root"]).0 == 400)

            for path in Self.readRoutes {
                #expect(try await ReadAPITests.get(port, path, token: nil).0 == 401, "\(path) without a token")
                #expect(try await ReadAPITests.get(port, path, token: agentToken).0 == 401, "\(path) with an agent token")
                #expect(try await ReadAPITests.get(port, path, token: readToken).0 == 200, "\(path) with a read token")
            }

            // Writes need admin: 403 with the reason, and nothing changes.
            let reader = CollectorClientForTests(port: port, token: readToken)
            let refused = try await reader.post("/v1/maintenance", ["service": "web", "start": "2030-01-01T00:00:00Z", "end": "2030-01-01T01:00:00Z", "reason": "x"])
            #expect(refused.0 == 403)
            #expect(String(decoding: refused.1, as: UTF8.self).contains("read-only"))
            #expect(try await reader.post("/v1/agents", ["name": "sneaky"]).0 == 403)
            #expect(try await reader.post("/v1/tokens", ["name": "escalate", "scope": "admin"]).0 == 403)
            #expect(try await reader.post("/v1/agents/edge-1/revoke", [:]).0 == 403)
            #expect(try await ReadAPITests.get(port, "/v1/tokens", token: readToken).0 == 403)
            #expect(try await harness.collector.store.agents().map(\.name) == ["edge-1"])
            #expect(try await harness.collector.store.maintenanceWindows().isEmpty)

            // Listing never shows a token; revoking stops it at once; the last admin token stays.
            let listed = try await ReadAPITests.get(port, "/v1/tokens", token: harness.collector.adminToken)
            let tokens = try JSONDecoder().decode([TokenInfo].self, from: listed.1)
            #expect(tokens.map(\.name) == ["admin.token", "grafana"])
            #expect(tokens.allSatisfy { $0.token == nil })
            #expect(!String(decoding: listed.1, as: UTF8.self).contains(readToken))
            #expect(try await Self.delete(port, "/v1/tokens/grafana", token: harness.collector.adminToken) == 204)
            #expect(try await ReadAPITests.get(port, "/v1/services", token: readToken).0 == 401)
            #expect(try await Self.delete(port, "/v1/tokens/grafana", token: harness.collector.adminToken) == 404)
            #expect(try await Self.delete(port, "/v1/tokens/admin.token", token: harness.collector.adminToken) == 409)
            #expect(try await ReadAPITests.get(port, "/v1/services", token: harness.collector.adminToken).0 == 200)
        }
    }

    @Test("a revoked admin.token is not brought back by a restart")
    func revokedFileTokenStaysRevoked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = CollectorConfiguration()
        configuration.dataDirectory = directory.path
        let first = try await Collector(configuration: configuration)
        _ = try await first.store.createAPIToken(hash: Tokens.hash("other"), name: "ops", scope: .admin, nowMs: 1)
        #expect(try await first.store.revokeAPITokens(name: "admin.token") == 1)
        let second = try await Collector(configuration: configuration)
        #expect(second.adminToken == first.adminToken)
        #expect(try await second.store.apiTokenScope(hash: Tokens.hash(first.adminToken)) == nil)
    }
}
