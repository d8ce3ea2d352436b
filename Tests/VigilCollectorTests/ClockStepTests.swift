import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// An agent whose wall clock steps (issue 18), through the real HTTP API on SQLite and PostgreSQL.
@Suite("Agent clock steps")
struct ClockStepTests {
    static func post(_ port: Int, _ batch: Batch, token: String, sentAt: Int64?) async throws -> IngestTests.Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/batches")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.headers.add(name: "Content-Encoding", value: "deflate")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let sentAt { request.headers.add(name: "X-Vigil-Sent-At", value: String(sentAt)) }
        request.body = .bytes(ByteBuffer(bytes: BatchCodec.encodeForShipping(batch)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return IngestTests.Answer(status: Int(response.status.code), body: String(buffer: buffer))
    }

    static let hour: Int64 = 3_600_000
    static let definition = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)

    /// Runs `body` against a running collector with agent `a1` registered: (port, its token, admin token).
    static func withCollector(
        _ engine: StoreEngine, _ body: @Sendable (TestCollector, Int, String, String) async throws -> Void
    ) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            try await body(harness, await harness.ports.port(), token, harness.collector.adminToken)
        }
    }

    @Test("heartbeats after a step back keep their real time: the outage after the step is found", arguments: StoreEngine.available)
    func stepBack(engine: StoreEngine) async throws {
        try await Self.withCollector(engine) { _, port, token, admin in
            let hour = Self.hour
            // True time: 10 s probes over the last 10 minutes up to a whole second before now.
            let now = WallClockForTests.nowMs() / 1_000 * 1_000
            let start = now - 600_000
            let definition = Self.definition
            // Before the step (first 5 minutes): up, stamped right. After it the wall clock reads an hour
            // early: stamps are true time − 1 h, adjust −1 h; down from +6 min to +8 min (12 failures).
            var beats: [Heartbeat] = []
            for i in 0..<60 {
                let t = start + Int64(i) * 10_000
                let stepped = i >= 30
                let down = (36..<48).contains(i)
                beats.append(Heartbeat(
                    check: 1, timestampMs: stepped ? t - hour : t, status: down ? .down : .up, code: down ? 503 : 200,
                    message: down ? "status 503" : "", clockAdjustMs: stepped ? -hour : 0
                ))
            }
            let batch = Batch(sessionID: "s1", seq: 1, agentVersion: "test", checks: [definition], heartbeats: beats)
            // It sends with its stepped clock: an hour behind the collector.
            let answer = try await Self.post(port, batch, token: token, sentAt: WallClockForTests.nowMs() - hour)
            #expect(answer.status == 200 && answer.json["accepted"] as? Int == 60)

            // The outage is where it happened: [start + 360 s, start + 480 s), 120 s; nothing an hour ago.
            let window = "from=\(ISOTime.format(ms: start - 2 * hour))&to=\(ISOTime.format(ms: now))"
            let (status, data) = try await SLAAPITests.send(.GET, port, "/v1/services/web/sla?\(window)", token: admin)
            #expect(status == 200)
            let report = try JSONDecoder().decode(SLAReportInfo.self, from: data)
            #expect(report.outageCount == 1 && report.downSeconds == 120)
            #expect(report.outages.first?.start == ISOTime.format(ms: start + 360_000))
            #expect(report.outages.first?.end == ISOTime.format(ms: start + 480_000))
            // Up from start to +360 s and +480 s to the last heartbeat's hold (+590 s + 25 s, cut at now).
            #expect(report.upSeconds == 360 + 120 && report.unknownSeconds == 2 * 3_600)

            // The agents list shows the clock an hour behind and the step.
            let (_, agentsData) = try await SLAAPITests.send(.GET, port, "/v1/agents", token: admin)
            let agent = try #require(try JSONDecoder().decode([AgentInfo].self, from: agentsData).first)
            #expect(agent.clockStepSeconds == -3_600)
            let offset = try #require(agent.clockOffsetSeconds)
            #expect(offset <= -3_600 && offset > -3_610)
            #expect(agent.lastHeartbeat == ISOTime.format(ms: start + 590_000))
        }
    }

    @Test("a step back that corrected a clock running ahead leaves the stamps as they are", arguments: StoreEngine.available)
    func correctionOfAClockAhead(engine: StoreEngine) async throws {
        try await Self.withCollector(engine) { harness, port, token, admin in
            let hour = Self.hour
            let now = WallClockForTests.nowMs() / 1_000 * 1_000
            let start = now - 300_000
            // The agent's clock ran an hour ahead (those stamps are refused as the future), then NTP set it
            // back: the stamps after the step are right, and undoing the step would put them in the future.
            let definition = Self.definition
            let beats = (0..<30).map { i in
                Heartbeat(check: 1, timestampMs: start + Int64(i) * 10_000, status: .up, clockAdjustMs: -hour)
            }
            let answer = try await Self.post(port, Batch(sessionID: "s1", seq: 1, agentVersion: "test", checks: [definition], heartbeats: beats), token: token, sentAt: now)
            #expect(answer.status == 200 && answer.json["accepted"] as? Int == 30)
            let (_, agentsData) = try await SLAAPITests.send(.GET, port, "/v1/agents", token: admin)
            let agent = try #require(try JSONDecoder().decode([AgentInfo].self, from: agentsData).first)
            #expect(agent.lastHeartbeat == ISOTime.format(ms: start + 290_000))
            #expect(agent.clockStepSeconds == -3_600)
            // A client that does not send X-Vigil-Sent-At leaves the offset unknown, not zero.
            let other = try await harness.addAgent("a2")
            let plain = Batch(sessionID: "s1", seq: 1, agentVersion: "test", checks: [definition], heartbeats: [Heartbeat(check: 1, timestampMs: start, status: .up)])
            #expect(try await Self.post(port, plain, token: other, sentAt: nil).status == 200)
            let agents = try JSONDecoder().decode([AgentInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/agents", token: admin).1)
            #expect(agents.last?.name == "a2" && agents.last?.clockOffsetSeconds == nil && agents.last?.clockStepSeconds == 0)
        }
    }
}
