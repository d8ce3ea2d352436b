import Foundation
import Testing
import VigilCollector
import VigilTestSupport
import VigilWire
@testable import VigilCLI

@Suite("CLI paging")
struct PagingClientTests {
    @Test("the CLI's client walks every page of a list route, in order")
    func walks() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        for index in 0..<5 { _ = try await harness.addAgent("a\(index)") }
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let client = CollectorClient(baseURL: "http://127.0.0.1:\(port)", token: harness.collector.adminToken)
            #expect(try await client.getAll("/v1/agents?limit=2", as: [AgentInfo].self).map(\.name) == ["a0", "a1", "a2", "a3", "a4"])
            #expect(try await client.getAll("/v1/agents", as: [AgentInfo].self).count == 5)
        }
    }
}
