import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Agent revocation")
struct AgentRevocationTests {
    @Test("a revoked token is refused at once, the history stays, and --replace gives the agent a working token",
          arguments: StoreEngine.available)
    func revoke(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("edge-1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let admin = CollectorClientForTests(port: port, token: harness.collector.adminToken)
            let start = WallClockForTests.nowMs() - 120_000
            let first = BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: start, statuses: [.up, .up, .down]))
            #expect(try await IngestTests.post(port, body: first, token: token).status == 200)

            // Only an admin may revoke; an unknown name is 404.
            let agentTry = CollectorClientForTests(port: port, token: token)
            #expect(try await agentTry.post("/v1/agents/edge-1/revoke", [:]).0 == 401)
            #expect(try await admin.post("/v1/agents/nobody/revoke", [:]).0 == 404)
            let revoked = try await admin.post("/v1/agents/edge-1/revoke", [:])
            #expect(revoked.0 == 200)
            #expect(try JSONDecoder().decode(AgentRevoked.self, from: revoked.1) == AgentRevoked(name: "edge-1", revoked: true))

            let second = BatchCodec.encodeForShipping(IngestTests.batch(seq: 2, start: start + 30_000, statuses: [.up]))
            let refused = try await IngestTests.post(port, body: second, token: token)
            #expect(refused.status == 401)
            let agents = try await harness.collector.store.agents()
            #expect(agents.map(\.name) == ["edge-1"])
            #expect(agents[0].revoked)
            #expect(agents[0].heartbeats == 3)
            let listed = try JSONDecoder().decode([AgentInfo].self, from: try await ReadAPITests.get(port, "/v1/agents", token: harness.collector.adminToken).1)
            #expect(listed.first?.revoked == true)

            // A new token for the same agent works and continues its history.
            let replaced = try await admin.post("/v1/agents", ["name": "edge-1", "replace": true])
            #expect(replaced.0 == 200)
            let newToken = try #require(try JSONDecoder().decode(AgentCreated.self, from: replaced.1).token)
            #expect(try await IngestTests.post(port, body: second, token: newToken).status == 200)
            #expect(try await IngestTests.post(port, body: second, token: token).status == 401)
            let after = try await harness.collector.store.agents()
            #expect(after[0].revoked == false)
            #expect(after[0].heartbeats == 4)
        }
    }
}
