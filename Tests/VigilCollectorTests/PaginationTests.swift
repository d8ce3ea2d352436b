import AsyncHTTPClient
import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Issue 19: list routes are paged, the status page is capped.
@Suite("Bounded read routes")
struct PaginationTests {
    @Test("a page is the keys after the cursor, at most limit of them; the cursor names the last")
    func slices() throws {
        let keys = ["a", "b", "c", "d", "e", "f", "g"]
        var page = Page(limit: 3, after: nil)
        var (slice, next) = page.slice(keys)
        #expect(Array(slice) == ["a", "b", "c"] && next.flatMap(Page.decode) == "c")
        page.after = "c"
        (slice, next) = page.slice(keys)
        #expect(Array(slice) == ["d", "e", "f"] && next.flatMap(Page.decode) == "f")
        page.after = "f"
        (slice, next) = page.slice(keys)
        #expect(Array(slice) == ["g"] && next == nil)
        // A key that is gone still places the page: after "cc" comes "d".
        page.after = "cc"
        #expect(Array(page.slice(keys).keys) == ["d", "e", "f"])
        // Cursors survive any name: quotes, slashes, combining marks.
        for key in ["a/b?c&d", "x\"\u{301}", "☃", ""] { #expect(Page.decode(Page.encode(key)) == key) }
    }

    /// `count` services of one check each, probed 25, 15 and 5 s ago (so their state is known now), up
    /// but for `down`. A heartbeat holds 150 s (2 × 60 s + 30 s), so a loaded machine taking tens of
    /// seconds before the reads cannot turn them unknown.
    static func services(_ port: Int, token: String, count: Int, down: Set<Int> = []) async throws {
        let start = WallClockForTests.nowMs() - 25_000
        let checks = (0..<count).map {
            CheckDefinition(id: UInt32($0 + 1), name: "c\($0)", service: String(format: "svc-%03d", $0), kind: "http", target: "http://x", intervalMs: 60_000, timeoutMs: 30_000)
        }
        let beats = (0..<count).flatMap { index in
            (0..<3).map { Heartbeat(check: UInt32(index + 1), timestampMs: start + Int64($0) * 10_000, status: down.contains(index) ? .down : .up) }
        }
        let batch = Batch(sessionID: "s", seq: 1, agentVersion: "t", checks: checks, heartbeats: beats)
        #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token).status == 200)
    }

    @Test("/v1/services and /v1/agents page with limit and cursor; bad ones are 400")
    func routes() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a0")
        for index in 1..<5 { _ = try await harness.addAgent("a\(index)") }
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            try await Self.services(port, token: token, count: 7)
            var seen: [String] = []
            var path = "/v1/services?limit=3"
            var pages = 0
            while true {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer \(admin)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                #expect(response.status.code == 200)
                let page = try JSONDecoder().decode([ServiceStatusInfo].self, from: Data(body.readableBytesView))
                seen += page.map(\.service)
                pages += 1
                guard let next = response.headers.first(name: "X-Next-Cursor") else {
                    #expect(response.headers.first(name: "Link") == nil)
                    break
                }
                #expect(response.headers.first(name: "Link") == "</v1/services?limit=3&cursor=\(next)>; rel=\"next\"")
                path = "/v1/services?limit=3&cursor=\(next)"
            }
            #expect(pages == 3)
            #expect(seen == (0..<7).map { String(format: "svc-%03d", $0) })
            #expect(try await ReadAPITests.get(port, "/v1/services?limit=0", token: admin).0 == 400)
            #expect(try await ReadAPITests.get(port, "/v1/services?limit=5001", token: admin).0 == 400)
            #expect(try await ReadAPITests.get(port, "/v1/services?cursor=%25%25", token: admin).0 == 400)
            let agents = try JSONDecoder().decode([AgentInfo].self, from: try await ReadAPITests.get(port, "/v1/agents?limit=2", token: admin).1)
            #expect(agents.map(\.name) == ["a0", "a1"])

            // The report pages too, and its next link keeps the window.
            var reported: [String] = []
            var next: String? = "/v1/report?window=1d&limit=4"
            while let path = next {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer \(admin)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let page = try JSONDecoder().decode([SLAReportInfo].self, from: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
                #expect(page.allSatisfy { $0.window == "last 1d" })
                reported += page.map(\.service)
                next = response.headers.first(name: "Link").map { link in
                    #expect(link.hasPrefix("</v1/report?window=1d&limit=4&cursor="))
                    return String(link.dropFirst().prefix { $0 != ">" })
                }
            }
            #expect(reported == seen)
        }
    }

    /// Follows `Link: <…>; rel="next"` from `path`, decoding each page as `[T]`; the pages and the
    /// links seen.
    static func allPages<T: Decodable>(_ port: Int, _ path: String, token: String, as type: T.Type) async throws -> (items: [T], links: [String]) {
        var items: [T] = []
        var links: [String] = []
        var next: String? = path
        while let path = next {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 200, "\(path)")
            items += try JSONDecoder().decode([T].self, from: Data(try await response.body.collect(upTo: 8 << 20).readableBytesView))
            next = response.headers.first(name: "Link").map { link in
                links.append(link)
                return String(link.dropFirst().prefix { $0 != ">" })
            }
        }
        return (items, links)
    }

    @Test("/v1/outages and /v1/alerts page newest first: every item once, the same as one big page")
    func eventPages() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a0")
        let admin = harness.collector.adminToken
        let store = harness.collector.store
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            try await Self.services(port, token: token, count: 7, down: Set(0..<7))
            // The tracker stores the outages just after the batches commit: wait for all seven.
            var whole = try await Self.allPages(port, "/v1/outages?since=1h", token: admin, as: OutageInfo.self)
            for _ in 0..<100 where whole.items.count < 7 {
                try await Task.sleep(for: .milliseconds(100))
                whole = try await Self.allPages(port, "/v1/outages?since=1h", token: admin, as: OutageInfo.self)
            }
            #expect(whole.items.count == 7 && whole.links.isEmpty)
            let paged = try await Self.allPages(port, "/v1/outages?since=1h&limit=3", token: admin, as: OutageInfo.self)
            #expect(paged.items.map(\.id) == whole.items.map(\.id))
            #expect(paged.links.count == 2 && paged.links.allSatisfy { $0.hasPrefix("</v1/outages?since=1h&limit=3&cursor=") })
            #expect(try await ReadAPITests.get(port, "/v1/outages?limit=0", token: admin).0 == 400)

            // Alerts, several created in the same millisecond: pages of 2 give the store's own order.
            let now = WallClockForTests.nowMs()
            for index in 0..<9 {
                let alert = StoredAlert(dedupeKey: "test:\(index)", type: "outage.opened", severity: "page", service: "svc-00\(index % 7)", occurredMs: now, body: "{}")
                _ = try await store.enqueueAlert(alert, hooks: [], nowMs: now - Int64(index / 3) * 1_000)
            }
            // The evaluator may add outage.opened alerts meanwhile: compare a paging the store did not change under.
            var compared = false
            for _ in 0..<5 where !compared {
                let before = try await store.alerts(sinceMs: 0, limit: 1_000).map(\.id)
                let alerts = try await Self.allPages(port, "/v1/alerts?limit=2", token: admin, as: AlertInfo.self)
                guard try await store.alerts(sinceMs: 0, limit: 1_000).map(\.id) == before else { continue }
                #expect(alerts.items.map(\.id) == before && before.count >= 9)
                #expect(alerts.links.count == (before.count + 1) / 2 - 1)
                compared = true
            }
            #expect(compared)
            #expect(try await ReadAPITests.get(port, "/v1/alerts?cursor=\(Page.encode("not-a-place"))", token: admin).0 == 400)
        }
    }

    @Test("the status page shows at most 100 services, those down first, and counts the rest")
    func statusCap() async throws {
        let harness = try await TestCollector { $0.publicAccess.statusPage = true }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a0")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            try await Self.services(port, token: token, count: 130, down: [125, 129])
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/status"), timeout: .seconds(30))
            #expect(response.status.code == 200)
            let html = String(buffer: try await response.body.collect(upTo: 8 << 20))
            #expect(html.contains("and 30 more services, not shown here"))
            // Down services are shown even though they sort last by name.
            #expect(html.contains("svc-125") && html.contains("svc-129"))
            #expect(html.contains("svc-000") && html.contains("svc-097") && !html.contains("svc-098") && !html.contains("svc-128"))
        }
    }
}
