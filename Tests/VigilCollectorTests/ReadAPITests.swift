import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Read API")
struct ReadAPITests {
    static func get(_ port: Int, _ path: String, token: String?) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    @Test("uptime over an explicit window has exact seconds", arguments: StoreEngine.available)
    func uptimeWindow(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            // Whole minutes in the past: up 0-20 s, down 20-40 s, up 40-60 s (10 s interval, stale 25 s).
            let start = (WallClockForTests.nowMs() / 60_000 - 5) * 60_000
            let batch = IngestTests.batch(seq: 1, start: start, statuses: [.up, .up, .down, .down, .up, .up, .up])
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token).status == 200)
            let from = ISOTime.format(ms: start)
            let to = ISOTime.format(ms: start + 60_000)
            let (status, data) = try await Self.get(port, "/v1/services/web/uptime?from=\(from)&to=\(to)", token: harness.collector.adminToken)
            #expect(status == 200)
            let report = try JSONDecoder().decode(UptimeReport.self, from: data)
            #expect(report.upSeconds == 40)
            #expect(report.downSeconds == 20)
            #expect(report.unknownSeconds == 0)
            #expect(report.eligibleSeconds == 60)
            #expect(report.availability == 40.0 / 60.0)
            #expect(report.coverage == 1)
            let keys = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            for key in ["availability", "up_seconds", "down_seconds", "unknown_seconds", "eligible_seconds", "coverage"] {
                #expect(keys[key] != nil, "missing \(key)")
            }
        }
    }

    @Test("/v1/services gives each check's state now as a per-check read would (the naive oracle)", arguments: StoreEngine.available)
    func serviceChecks(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let tokens = [try await harness.addAgent("a0"), try await harness.addAgent("a1")]
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let now = WallClockForTests.nowMs()
            // Two agents; services with checks up, down, stale (unknown now) and never heard, several per service.
            // A heartbeat holds 150 s (2 × 60 s + 30 s): a loaded machine taking tens of seconds between the
            // posts and the reads must not let the fresh checks go stale; the 10-minute-old one is stale either way.
            let plans: [[(service: String, name: String, statuses: [CheckStatus], ageMs: Int64)]] = [
                [("api", "edge", [.up, .up, .up], 5_000), ("web", "home", [.down, .down, .down], 5_000), ("db", "ping", [.up], 600_000)],
                [("api", "edge", [.down, .down, .down], 5_000), ("web", "home", [.up, .degraded, .degraded], 5_000), ("web", "login", [], 0)],
            ]
            for (agent, plan) in plans.enumerated() {
                let checks = plan.enumerated().map { index, check in
                    CheckDefinition(id: UInt32(index + 1), name: check.name, service: check.service, kind: "http", target: "http://\(check.service)", intervalMs: 60_000, timeoutMs: 30_000)
                }
                let beats = plan.enumerated().flatMap { index, check in
                    check.statuses.enumerated().map { step, status in
                        Heartbeat(check: UInt32(index + 1), timestampMs: now - check.ageMs - Int64(check.statuses.count - 1 - step) * 10_000,
                                  status: status, latencyUs: UInt32(1_000 * (step + 1)), message: status == .up ? "" : "HTTP 503 from \(check.name)")
                    }
                }
                let batch = Batch(sessionID: "s", seq: 1, agentVersion: "t", checks: checks, heartbeats: beats)
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: tokens[agent]).status == 200)
            }
            let (status, data) = try await Self.get(port, "/v1/services?limit=2", token: harness.collector.adminToken)
            #expect(status == 200)
            var listed = try JSONDecoder().decode([ServiceStatusInfo].self, from: data)
            let rest = try await Self.get(port, "/v1/services?limit=2&cursor=\(Page.encode("db"))", token: harness.collector.adminToken).1
            listed += try JSONDecoder().decode([ServiceStatusInfo].self, from: rest)
            #expect(listed.map(\.service) == ["api", "db", "web"])
            // The naive oracle: each check of the service read alone, its state the run holding now.
            let store = harness.collector.store
            let at = WallClockForTests.nowMs()
            for service in listed {
                var expected: [CheckStatusInfo] = []
                for check in try await store.checks(service: service.service) {
                    let runs = try await store.intervals(checkID: check.id, overlapping: TimeRange(startMs: at - 86_400_000, endMs: at + 1))
                    let state = runs.last { $0.startMs <= at && at < $0.endMs }?.status ?? .unknown
                    expected.append(CheckStatusInfo(
                        name: check.definition.name, agent: check.agentName, kind: check.definition.kind, target: check.definition.target,
                        state: state.rawValue, lastHeartbeat: check.lastHeartbeat.map { ISOTime.format(ms: $0.timestampMs) },
                        latencyMs: check.lastHeartbeat.map { Double($0.latencyUs) / 1000 }, message: check.lastHeartbeat?.message
                    ))
                }
                #expect(service.checks == expected, "\(service.service)")
            }
            // By hand: api is up at a0 and down at a1; db's only check went stale; web has a never-heard check.
            let states = Dictionary(uniqueKeysWithValues: listed.map { ($0.service, $0.checks.map { "\($0.agent)/\($0.name)=\($0.state)" }) })
            #expect(states["api"] == ["a0/edge=up", "a1/edge=down"])
            #expect(states["db"] == ["a0/ping=unknown"])
            #expect(states["web"] == ["a0/home=down", "a1/home=degraded", "a1/login=unknown"])
        }
    }

    @Test("an agent name registered twice is 409, or a new token with replace; replicas and health show the leader",
          arguments: StoreEngine.available)
    func agentsAndReplicas(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let client = CollectorClientForTests(port: port, token: harness.collector.adminToken)
            let first = try await client.post("/v1/agents", ["name": "node-1"])
            #expect(first.0 == 201)
            let oldToken = try #require(try JSONSerialization.jsonObject(with: first.1) as? [String: Any])["token"] as? String
            #expect(try await client.post("/v1/agents", ["name": "node-1"]).0 == 409)
            let replaced = try await client.post("/v1/agents", ["name": "node-1", "replace": true])
            #expect(replaced.0 == 200)
            let newToken = try #require(try JSONSerialization.jsonObject(with: replaced.1) as? [String: Any])["token"] as? String
            #expect(try await harness.collector.store.agent(tokenHash: Tokens.hash(try #require(oldToken))) == nil)
            #expect(try await harness.collector.store.agent(tokenHash: Tokens.hash(try #require(newToken)))?.name == "node-1")

            // The replica reports itself within a second or so, as leader once it holds the lock.
            var replicas: [ReplicaInfo] = []
            let reported = { (list: [ReplicaInfo]) in list.first.map { $0.leader && $0.address.hasSuffix(":\(port)") } ?? false }
            for _ in 0..<50 where !reported(replicas) {
                try await Task.sleep(for: .milliseconds(100))
                replicas = try JSONDecoder().decode([ReplicaInfo].self, from: try await Self.get(port, "/v1/replicas", token: harness.collector.adminToken).1)
            }
            #expect(replicas.count == 1 && reported(replicas))
            let health = try JSONSerialization.jsonObject(with: try await Self.get(port, "/healthz", token: nil).1) as? [String: Any]
            #expect(health?["leader"] as? Bool == true)
            #expect(try await Self.get(port, "/v1/replicas", token: nil).0 == 401)
        }
    }

    @Test("read routes need an admin token; unknown services are 404; bad windows 400", arguments: StoreEngine.available)
    func errors(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let agentToken = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            #expect(try await Self.get(port, "/v1/services", token: nil).0 == 401)
            #expect(try await Self.get(port, "/v1/services", token: agentToken).0 == 401)
            #expect(try await Self.get(port, "/v1/services", token: harness.collector.adminToken).0 == 200)
            #expect(try await Self.get(port, "/v1/services/nope/uptime", token: harness.collector.adminToken).0 == 404)
            let (status, body) = try await Self.get(port, "/v1/services/nope/uptime?last=forever", token: harness.collector.adminToken)
            #expect(status == 400)
            #expect(String(decoding: body, as: UTF8.self).contains("invalid duration"))
            #expect(try await Self.get(port, "/healthz", token: nil).0 == 200)
        }
    }

    @Test("the admin token is written once and survives restarts")
    func adminToken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = CollectorConfiguration()
        configuration.dataDirectory = directory.path
        let first = try await Collector(configuration: configuration)
        let second = try await Collector(configuration: configuration)
        #expect(first.adminToken == second.adminToken)
        #expect(try await second.store.apiTokenScope(hash: Tokens.hash(first.adminToken)) == .admin)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/admin.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // Stored hashed, never in clear.
        let database = try String(decoding: Data(contentsOf: URL(fileURLWithPath: directory.path + "/vigil.sqlite")), as: UTF8.self)
        #expect(!database.contains(first.adminToken))
    }
}

/// JSON POSTs with the admin token, answering status and body.
struct CollectorClientForTests {
    let port: Int
    let token: String

    func post(_ path: String, _ body: [String: Any]) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }
}
