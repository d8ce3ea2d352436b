import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Status page and badges")
struct StatusPageTests {
    /// A batch for one check of `service`: heartbeats every 10 s from `start`.
    static func batch(service: String, seq: UInt64, start: Int64, statuses: [CheckStatus]) -> Batch {
        Batch(
            sessionID: "s-\(service)", seq: seq, agentVersion: "test",
            checks: [CheckDefinition(id: 1, name: "probe", service: service, kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)],
            heartbeats: statuses.enumerated().map { index, status in
                Heartbeat(check: 1, timestampMs: start + Int64(index) * 10_000, status: status, code: status == .up ? 200 : 503,
                          message: status == .down ? "status 503" : "")
            }
        )
    }

    static func isWellFormedXML(_ data: Data) -> Bool { XMLParser(data: data).parse() }

    /// A collector configuration change giving service `web` an SLA target.
    static func webTarget(_ percent: String) -> (inout CollectorConfiguration) -> Void {
        { configuration in
            var policy = ServicePolicy()
            policy.target = Percentage(percent)
            configuration.catalog.services["web"] = policy
        }
    }

    @Test("per service: state, SLA and budget, 90 day cells with their figures, outages, announced maintenance; names escaped")
    func page() async throws {
        let harness = try await TestCollector(configure: Self.webTarget("99.5"))
        defer { harness.directory.remove() }
        let web = try await harness.addAgent("edge-1")
        let odd = try await harness.addAgent("edge-2")
        let quoted = try await harness.addAgent("edge-3")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            // 28 heartbeats 10 s apart, the last one 5 s ago: the state now is known.
            let start = WallClockForTests.nowMs() - 275_000
            let statuses: [CheckStatus] = Array(repeating: .up, count: 10) + Array(repeating: .down, count: 6) + Array(repeating: .up, count: 12)
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(Self.batch(service: "web", seq: 1, start: start, statuses: statuses)), token: web).status == 200)
            let hostile = Self.batch(service: "<script>alert(1)</script>", seq: 1, start: start, statuses: Array(repeating: .up, count: 28))
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(hostile), token: odd).status == 200)
            let ampersand = Self.batch(service: "a&b<c>\"d", seq: 1, start: start, statuses: Array(repeating: .up, count: 28))
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(ampersand), token: quoted).status == 200)
            let admin = CollectorClientForTests(port: port, token: harness.collector.adminToken)
            let tomorrow = ISOTime.format(ms: WallClockForTests.nowMs() + 86_400_000)
            #expect(try await admin.post("/v1/maintenance", ["service": "web", "start": tomorrow, "duration": "2h", "reason": "database upgrade"]).0 == 201)

            #expect(try await ReadAPITests.get(port, "/status", token: nil).0 == 401)
            let (status, data) = try await ReadAPITests.get(port, "/status", token: harness.collector.adminToken)
            #expect(status == 200)
            let html = String(decoding: data, as: UTF8.self)
            #expect(html.hasPrefix("<!doctype html>"))
            #expect(html.contains("<h2>web</h2>"))
            #expect(html.contains("SLA 99.5 % for "))
            #expect(html.contains("of the error budget left") || html.contains("error budget spent"))
            #expect(html.components(separatedBy: "<span class=\"d ").count - 1 == 3 * StatusPageModel.days)
            let today = String(ISOTime.format(ms: WallClockForTests.nowMs()).prefix(10))
            #expect(html.contains("title=\"\(today): "), "today's cell says its date")
            #expect(html.contains("down 1 min") || html.contains("down 5") || html.contains("down 6"), "the cell shows the downtime")
            #expect(html.contains("status 503"), "the outage is listed with its first error")
            #expect(html.contains("database upgrade"), "maintenance announced ahead")
            #expect(!html.contains("<script>alert(1)</script>"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script"), "no JavaScript at all")

            // Badges.
            #expect(try await ReadAPITests.get(port, "/badge/web/status.svg", token: nil).0 == 401)
            let badge = try await ReadAPITests.get(port, "/badge/web/status.svg", token: harness.collector.adminToken)
            #expect(badge.0 == 200 && Self.isWellFormedXML(badge.1))
            #expect(String(decoding: badge.1, as: UTF8.self).contains("aria-label=\"web: up\""))
            let uptime = try await ReadAPITests.get(port, "/badge/web/uptime.svg?window=1h", token: harness.collector.adminToken)
            #expect(uptime.0 == 200 && Self.isWellFormedXML(uptime.1))
            let uptimeText = String(decoding: uptime.1, as: UTF8.self)
            #expect(uptimeText.contains("aria-label=\"uptime 1h: ") && uptimeText.contains("%\""), "\(uptimeText.prefix(300))")
            #expect(try await ReadAPITests.get(port, "/badge/nope/status.svg", token: harness.collector.adminToken).0 == 404)
            #expect(try await ReadAPITests.get(port, "/badge/web/uptime.svg?window=soon", token: harness.collector.adminToken).0 == 400)
            let escaped = try await ReadAPITests.get(port, "/badge/a%26b%3Cc%3E%22d/status.svg", token: harness.collector.adminToken)
            #expect(escaped.0 == 200 && Self.isWellFormedXML(escaped.1))
            #expect(String(decoding: escaped.1, as: UTF8.self).contains("a&amp;b&lt;c&gt;&quot;d: up"))
        }
    }

    @Test("a public status page and badges need no token; the API still does")
    func publicAccess() async throws {
        let harness = try await TestCollector { $0.publicAccess = PublicAccess(statusPage: true, badges: true) }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("edge-1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 120_000
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: start, statuses: [.up, .up])), token: token).status == 200)
            #expect(try await ReadAPITests.get(port, "/status", token: nil).0 == 200)
            #expect(try await ReadAPITests.get(port, "/badge/web/status.svg", token: nil).0 == 200)
            #expect(try await ReadAPITests.get(port, "/v1/services", token: nil).0 == 401)
            #expect(try await ReadAPITests.get(port, "/metrics", token: nil).0 == 401)
        }
    }

    @Test("badge widths grow with their text; colours follow the goal")
    func badges() {
        #expect(Badge.textWidth("uptime 30d") < Badge.textWidth("uptime 365d"))
        #expect(Badge.color(availability: 0.9995, goal: 0.999) == Badge.green)
        #expect(Badge.color(availability: 0.995, goal: 0.999) == Badge.yellow)
        #expect(Badge.color(availability: 0.5, goal: 0.999) == Badge.red)
        #expect(HTMLText.percent(0.99987) == "99.987 %")
        #expect(HTMLText.percent(1) == "100 %")
        #expect(HTMLText.duration(ms: 3_720_000) == "1 h 2 min")
    }
}
