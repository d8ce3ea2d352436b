import Crypto
import Foundation
import Hummingbird
import Testing
import VigilConfig
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// A webhook receiver on loopback that records what it gets and fails the first `failFirst` requests.
actor Receiver {
    struct Received: Sendable {
        var delivery: String
        var signature: String
        var body: String
    }

    var received: [Received] = []
    var failFirst: Int

    init(failFirst: Int) { self.failFirst = failFirst }

    func take(_ item: Received) -> Bool {
        if failFirst > 0 {
            failFirst -= 1
            return false
        }
        received.append(item)
        return true
    }

    var chats: [String] = []

    func chat(_ body: String) -> Bool {
        chats.append(body)
        return true
    }

    func types() -> [String] {
        received.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["type"] as? String }
    }
}

@Suite("Alert hooks")
struct AlertTests {
    @Test("an outage makes one signed outage.opened and one outage.resolved, retried through a failure", arguments: StoreEngine.available)
    func outageWebhook(engine: StoreEngine) async throws {
        let receiver = Receiver(failFirst: 1)
        let router = Router()
        router.post("/chat") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            _ = await receiver.chat(body)
            return Response(status: .ok)
        }
        router.post("/hook") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let ok = await receiver.take(.init(
                delivery: request.headers[.init("X-Vigil-Delivery")!] ?? "", signature: request.headers[.init("X-Vigil-Signature")!] ?? "", body: body
            ))
            return Response(status: ok ? .ok : .internalServerError)
        }
        let receiverPorts = PortPromise()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { await receiverPorts.callback($0.localAddress?.port ?? 0) })
        try await withServices([app]) { () async throws in
            let hookPort = await receiverPorts.port()
            let files = try TemporaryDirectory("hooks")
            defer { files.remove() }
            let harness = try await TestCollector(engine: engine) { configuration in
                configuration.alerts.evaluateEveryMs = 200
                var chat = HookConfiguration(name: "chat", url: "http://127.0.0.1:\(hookPort)/chat")
                chat.kind = .chat
                chat.events = ["outage.opened"]
                var command = HookConfiguration(name: "file", url: "")
                command.kind = .command(argv: ["/bin/sh", "-c", "cat > \(files.path)/$VIGIL_DELIVERY_ID.json; echo $VIGIL_EVENT_TYPE >> \(files.path)/types"])
                configuration.alerts.hooks = [HookConfiguration(name: "ops", url: "http://127.0.0.1:\(hookPort)/hook", secret: "s3cret"), chat, command]
            }
            defer { harness.directory.remove() }
            let token = try await harness.addAgent("a1")
            try await withServices([harness.collector]) { () async throws in
                let port = await harness.ports.port()
                let now = WallClockForTests.nowMs()
                // Up for 2 minutes, then down up to now: an ongoing outage.
                let down = IngestTests.batch(seq: 1, start: now - 300_000, statuses: Array(repeating: .up, count: 12) + Array(repeating: .down, count: 18))
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(down), token: token).status == 200)
                try await Self.wait { await receiver.types() == ["outage.opened"] }
                let opened = try #require(await receiver.received.first)
                #expect(opened.signature == AlertBody.signature(body: opened.body, secret: "s3cret"))
                #expect(opened.body.contains("\"service\":\"web\"") && opened.body.contains("\"severity\":\"page\""))
                let openNow = try JSONDecoder().decode([AlertInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/alerts?open=true", token: harness.collector.adminToken).1)
                #expect(openNow.map(\.type) == ["outage.opened"])

                let up = IngestTests.batch(seq: 2, start: WallClockForTests.nowMs(), statuses: [.up, .up])
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(up), token: token).status == 200)
                try await Self.wait { await receiver.types() == ["outage.opened", "outage.resolved"] }
                // Evaluations keep running: still exactly one of each, each delivery id once.
                try await Task.sleep(for: .seconds(1))
                #expect(await receiver.types() == ["outage.opened", "outage.resolved"])
                let ids = await receiver.received.map(\.delivery)
                #expect(Set(ids).count == 2)
                let records = try await harness.collector.store.alerts(sinceMs: 0, limit: 10)
                #expect(records.map(\.alert.type) == ["outage.resolved", "outage.opened"])
                let opsDelivery = records.last?.deliveries.first { $0.hook == "ops" }
                #expect(opsDelivery?.attempts == 2 && opsDelivery?.state == .delivered)
                // The chat hook got one readable line for the opened event only; the command hook wrote both.
                #expect(await receiver.chats.count == 1)
                #expect(await receiver.chats.first?.hasPrefix(#"{"text":"[PAGE] outage.opened · web: web is down"#) == true)
                try await Self.wait { ((try? String(contentsOfFile: files.path + "/types", encoding: .utf8)) ?? "") == "outage.opened\noutage.resolved\n" }
                let written = try String(contentsOfFile: files.path + "/" + (records.last?.deliveries.first { $0.hook == "file" }?.deliveryID ?? "") + ".json", encoding: .utf8)
                #expect(written.contains("\"type\":\"outage.opened\""))

                let admin = harness.collector.adminToken
                let history = try JSONDecoder().decode([AlertInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/alerts", token: admin).1)
                #expect(history.map(\.type) == ["outage.resolved", "outage.opened"])
                #expect(history.allSatisfy { $0.deliveries.allSatisfy { $0.state == "delivered" } })
                #expect(history.map { $0.deliveries.map(\.hook) } == [["file", "ops"], ["chat", "file", "ops"]])
                #expect(history.last?.summary.hasPrefix("web is down") == true)
                #expect(try await SLAAPITests.send(.GET, port, "/v1/alerts?open=true", token: admin).1 == Data("[]".utf8))
                let (status, body) = try await SLAAPITests.send(.POST, port, "/v1/hooks/ops/test", token: admin, body: "{}")
                #expect(status == 200)
                let test = try JSONDecoder().decode(HookTestResult.self, from: body)
                #expect(test.delivered && test.answer == "HTTP 200")
                #expect(await receiver.types().last == "test")
                #expect(try await SLAAPITests.send(.POST, port, "/v1/hooks/nope/test", token: admin, body: "{}").0 == 404)
            }
        }
    }

    static func wait(_ condition: @Sendable () async -> Bool) async throws {
        for _ in 0..<150 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("condition not met within 15 s")
    }

    @Test("hook config is checked: type, URL, duplicate names, severities")
    func config() throws {
        for (text, message) in [
            ("hooks:\n  - {name: a, type: pager, url: http://x}\n", "expected webhook, chat or command"),
            ("hooks:\n  - {name: a, type: command}\n", "command: required key is missing"),
            ("hooks:\n  - {name: a, type: webhook, url: ftp://x}\n", "expected an http:// or https:// URL"),
            ("hooks:\n  - {name: a, type: webhook, url: http://x}\n  - {name: a, type: webhook, url: http://y}\n", "already defined"),
            ("hooks:\n  - {name: a, type: webhook, url: http://x, severities: [urgent]}\n", "expected page, ticket or info"),
        ] {
            let root = try ConfigDocument.parse(text, file: "c.yaml")
            let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
            #expect(error?.description.contains(message) == true, "\(text)")
        }
        let root = try ConfigDocument.parse("alerts: {evaluate_every: 2s}\nhooks:\n  - {name: ops, type: webhook, url: http://x, events: [outage.opened], services: [api]}\n", file: "c.yaml")
        let parsed = try CollectorConfiguration.parse(root)
        #expect(parsed.alerts.evaluateEveryMs == 2_000)
        let hook = try #require(parsed.alerts.hooks.first)
        let event = AlertEvent(type: "outage.opened", severity: .page, service: "api", dedupeKey: "k", occurredMs: 0, summary: "")
        #expect(hook.routes(event))
        var other = event
        other.service = "web"
        #expect(!hook.routes(other))
    }

    @Test("a silence keeps an outage's events from the hooks; they are recorded as silenced", arguments: StoreEngine.available)
    func silenced(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            configuration.alerts.evaluateEveryMs = 100
            configuration.alerts.hooks = [HookConfiguration(name: "ops", url: "http://127.0.0.1:1/hook")]
        }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let (created, body) = try await SLAAPITests.send(.POST, port, "/v1/silences", token: admin, body: #"{"service": "web", "duration": "1h", "reason": "vendor maintenance"}"#)
            #expect(created == 201)
            let silence = try JSONDecoder().decode(SilenceInfo.self, from: body)
            #expect(try await SLAAPITests.send(.POST, port, "/v1/silences", token: admin, body: #"{"duration": "1h"}"#).0 == 400)
            let now = WallClockForTests.nowMs()
            let history = IngestTests.batch(seq: 1, start: now - 300_000, statuses: Array(repeating: .up, count: 12) + Array(repeating: .down, count: 18))
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(history), token: token).status == 200)
            let up = IngestTests.batch(seq: 2, start: now, statuses: [.up, .up])
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(up), token: token).status == 200)
            try await AlertTests.wait { ((try? await harness.collector.store.alerts(sinceMs: 0, limit: 10)) ?? []).count == 2 }
            let alerts = try JSONDecoder().decode([AlertInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/alerts", token: admin).1)
            #expect(alerts.map(\.type) == ["outage.resolved", "outage.opened"])
            #expect(alerts.allSatisfy { $0.deliveries.isEmpty && $0.silencedBy == "silence \(silence.id!): vendor maintenance" })
            #expect(try await SLAAPITests.send(.DELETE, port, "/v1/silences/\(silence.id!)", token: admin).0 == 204)
            #expect(try await SLAAPITests.send(.GET, port, "/v1/silences", token: admin).1 == Data("[]".utf8))
        }
    }
}
