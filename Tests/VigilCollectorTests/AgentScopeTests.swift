import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Issue 19: which agent may speak for which service, and how much one agent may define. Over real HTTP,
/// on SQLite and PostgreSQL.
@Suite("Agent scopes and definition limits")
struct AgentScopeTests {
    static func definition(_ id: UInt32, _ service: String, name: String? = nil) -> CheckDefinition {
        CheckDefinition(id: id, name: name ?? "check-\(id)", service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
    }

    static func post(_ port: Int, _ batch: Batch, token: String) async throws -> IngestTests.Answer {
        try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token)
    }

    static func reasons(_ answer: IngestTests.Answer) -> [Int: String] {
        let rejected = answer.json["rejected"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: rejected.map { ($0["index"] as! Int, $0["reason"] as! String) })
    }

    @Test("an agent reports only the services its scope and the config allow; the rest is refused one by one with the reason",
          arguments: StoreEngine.available)
    func scope(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            configuration.catalog.reporters = ["payments": ["edge-2"]]
        }
        defer { harness.directory.remove() }
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let client = CollectorClientForTests(port: port, token: admin)
            let created = try await client.post("/v1/agents", ["name": "edge-1", "services": ["api", "web-*"]])
            #expect(created.0 == 201)
            let token = try JSONDecoder().decode(AgentCreated.self, from: created.1).token
            // A bad scope is refused with the reason, and registers nothing.
            let bad = try await client.post("/v1/agents", ["name": "edge-9", "services": ["api", ""]])
            #expect(bad.0 == 400)
            #expect(String(decoding: bad.1, as: UTF8.self).contains("empty service pattern"))

            // Two heartbeats for each of four checks: api and web-eu are in scope; billing is outside it;
            // payments only edge-2 may report (the config).
            let start = (WallClockForTests.nowMs() / 60_000 - 5) * 60_000 + 7_000
            let services = ["api", "web-eu", "billing", "payments"]
            var beats: [Heartbeat] = []
            for step in 0..<2 {
                for id in 1...4 { beats.append(Heartbeat(check: UInt32(id), timestampMs: start + Int64(step) * 10_000 + Int64(id), status: .up)) }
            }
            let first = try await Self.post(port, Batch(
                sessionID: "s1", seq: 1, agentVersion: "t", checks: services.enumerated().map { Self.definition(UInt32($0.offset + 1), $0.element) },
                heartbeats: beats
            ), token: token)
            #expect(first.status == 200)
            #expect(first.json["accepted"] as? Int == 4)
            #expect(first.json["resend_checks"] as? Bool == false)
            let outside = "service \"billing\" is outside agent edge-1's scope (api,web-*)"
            let configOnly = "agent edge-1 may not report service \"payments\": the collector config lets only edge-2 report it"
            // Heartbeats are ordered step by step: indices 2 and 6 are billing, 3 and 7 payments.
            #expect(Self.reasons(first) == [2: outside, 6: outside, 3: configOnly, 7: configOnly])

            // Refused definitions made no service.
            let (_, listed) = try await ReadAPITests.get(port, "/v1/services", token: admin)
            #expect(try JSONDecoder().decode([ServiceStatusInfo].self, from: listed).map(\.service) == ["api", "web-eu"])

            // The session's next batch does not repeat its definitions: the same reason, and no resend.
            let second = try await Self.post(port, Batch(sessionID: "s1", seq: 2, agentVersion: "t", checks: [], heartbeats: [
                Heartbeat(check: 3, timestampMs: start + 20_003, status: .down), Heartbeat(check: 1, timestampMs: start + 20_001, status: .up),
            ]), token: token)
            #expect(second.json["accepted"] as? Int == 1)
            #expect(second.json["resend_checks"] as? Bool == false)
            #expect(Self.reasons(second) == [0: outside])

            let agents = try JSONDecoder().decode([AgentInfo].self, from: try await ReadAPITests.get(port, "/v1/agents", token: admin).1)
            #expect(agents.first { $0.name == "edge-1" }?.services == ["api", "web-*"])
            let metrics = String(decoding: try await ReadAPITests.get(port, "/metrics", token: admin).1, as: UTF8.self)
            // 2 billing + 2 payments in the first batch, 1 billing in the second.
            #expect(metrics.contains("vigil_collector_heartbeats_out_of_scope_total 5\n"))

            // Narrowing the scope refuses a check defined while it was allowed, from the next batch on;
            // the refused heartbeat counts nowhere, not even read back from its raw batch at a window edge.
            let narrowed = try await client.post("/v1/agents/edge-1/scope", ["services": ["api"]])
            #expect(narrowed.0 == 200)
            let third = try await Self.post(port, Batch(sessionID: "s1", seq: 3, agentVersion: "t", checks: [], heartbeats: [
                Heartbeat(check: 2, timestampMs: start + 30_002, status: .down), Heartbeat(check: 1, timestampMs: start + 30_001, status: .up),
            ]), token: token)
            #expect(Self.reasons(third) == [0: "service \"web-eu\" is outside agent edge-1's scope (api)"])
            // web-eu between the two heartbeats it had and the refused one, cut mid-minute: 2 probes, both up.
            let path = "/v1/services/web-eu/sla?from=\(ISOTime.format(ms: start - 1_000))&to=\(ISOTime.format(ms: start + 40_000))&method=occurrences"
            let (status, data) = try await SLAAPITests.send(.GET, port, path, token: admin)
            #expect(status == 200)
            let report = try JSONDecoder().decode(SLAReportInfo.self, from: data)
            #expect(report.counted == 2 && report.good == 2)
            #expect(try await client.post("/v1/agents/nobody/scope", ["services": ["api"]]).0 == 404)
        }
    }

    @Test("past the checks or services an agent may define, or the services all may, a batch gets 403 with the limit; within them it is stored",
          arguments: StoreEngine.available)
    func limits(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            configuration.limits.checksPerAgent = 3
            configuration.limits.servicesPerAgent = 2
            configuration.limits.services = 3
        }
        defer { harness.directory.remove() }
        let a = try await harness.addAgent("a")
        let b = try await harness.addAgent("b")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let now = WallClockForTests.nowMs() - 60_000
            func batch(_ seq: UInt64, _ definitions: [CheckDefinition]) -> Batch {
                Batch(sessionID: "s", seq: seq, agentVersion: "t", checks: definitions,
                      heartbeats: definitions.map { Heartbeat(check: $0.id, timestampMs: now, status: .up) })
            }
            func error(_ answer: IngestTests.Answer) -> String? {
                (answer.json["error"] as? [String: Any])?["message"] as? String
            }
            // 4 checks in one service: past 3 checks per agent.
            let four = try await Self.post(port, batch(1, (1...4).map { Self.definition($0, "s1") }), token: a)
            #expect(four.status == 403)
            #expect((four.json["error"] as? [String: Any])?["code"] as? String == "limit_exceeded")
            #expect(error(four) == "agent a would have 4 checks, more than the limit of 3 (limits.checks_per_agent)")
            // 3 checks in 3 services: past 2 services per agent.
            let three = try await Self.post(port, batch(1, [Self.definition(1, "s1"), Self.definition(2, "s2"), Self.definition(3, "s3")]), token: a)
            #expect(error(three) == "agent a would report 3 services, more than the limit of 2 (limits.services_per_agent)")
            // Within both: stored; sending the same definitions again adds nothing and passes.
            #expect(try await Self.post(port, batch(1, [Self.definition(1, "s1"), Self.definition(2, "s2")]), token: a).status == 200)
            #expect(try await Self.post(port, batch(2, [Self.definition(1, "s1"), Self.definition(2, "s2"), Self.definition(3, "s2")]), token: a).status == 200)
            // Agent b: two new services would make 4 in the collector, past 3.
            let more = try await Self.post(port, batch(1, [Self.definition(1, "s3"), Self.definition(2, "s4")]), token: b)
            #expect(more.status == 403)
            #expect(error(more) == "the collector would know 4 services, more than the limit of 3 (limits.services)")
            // One new and one known service: 3 in all, stored; nothing of the refused batches was.
            #expect(try await Self.post(port, batch(1, [Self.definition(1, "s3"), Self.definition(2, "s1")]), token: b).status == 200)
            #expect(try await harness.collector.store.services() == ["s1", "s2", "s3"])
            #expect(try await harness.collector.store.agents().map(\.heartbeats) == [5, 2])
        }
    }
}
