import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("SLA API")
struct SLAAPITests {
    /// One hour of 10 s probes from one agent, down from +20 min to +30 min, 100 ms when up.
    static func hour(start: Int64) -> Batch {
        let definition = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)
        var beats: [Heartbeat] = []
        var t = start
        while t < start + 3_600_000 + 20_000 {
            let down = t >= start + 1_200_000 && t < start + 1_800_000
            beats.append(Heartbeat(
                check: 1, timestampMs: t, status: down ? .down : .up, latencyUs: down ? 0 : 100_000,
                code: down ? 503 : 200, message: down ? "status 503" : ""
            ))
            t += 10_000
        }
        return Batch(sessionID: "s1", seq: 1, agentVersion: "test", checks: [definition], heartbeats: beats)
    }

    /// A collector on `engine` with one agent `a1` that has sent ``hour(start:)`` for the hour starting
    /// three hours ago (on the hour); `body` gets the port, the admin token and that start.
    static func withOneHourOfProbes(
        engine: StoreEngine, configure: @escaping @Sendable (inout CollectorConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (_ port: Int, _ admin: String, _ start: Int64) async throws -> Void
    ) async throws {
        let harness = try await TestCollector(engine: engine, configure: configure)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = (WallClockForTests.nowMs() / 3_600_000 - 3) * 3_600_000
            #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(Self.hour(start: start)), token: token).status == 200)
            try await body(port, admin, start)
        }
    }

    static func send(_ method: HTTPMethod, _ port: Int, _ path: String, token: String, body: String? = nil) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    @Test("report bars are sized by resolution: an hour's minutes, 5-minute bars, one hour, days; worked by hand", arguments: StoreEngine.available)
    func bars(engine: StoreEngine) async throws {
        try await Self.withOneHourOfProbes(engine: engine) { port, admin, start in
            func bars(_ query: String) async throws -> (Int, [ServiceDaysInfo]) {
                let (status, data) = try await Self.send(.GET, port, "/v1/report/daily?\(query)", token: admin)
                return (status, status == 200 ? try JSONDecoder().decode([ServiceDaysInfo].self, from: data) : [])
            }
            let hour = "from=\(ISOTime.format(ms: start))&to=\(ISOTime.format(ms: start + 3_600_000))"

            // auto over one hour: 60 one-minute bars. Down from +20 min to +30 min: bars 20-29 are 60 s
            // down, the others 60 s up.
            let (status, minutes) = try await bars(hour + "&resolution=auto")
            #expect(status == 200)
            let web = try #require(minutes.first { $0.service == "web" })
            #expect(web.resolutionSeconds == 60)
            #expect(web.days.count == 60)
            for (index, bar) in web.days.enumerated() {
                let down = (20..<30).contains(index)
                #expect(bar.upSeconds == (down ? 0 : 60) && bar.downSeconds == (down ? 60 : 0), "bar \(index)")
                #expect(bar.availability == (down ? 0 : 1), "bar \(index)")
                #expect(bar.start == ISOTime.format(ms: start + Int64(index) * 60_000))
                #expect(bar.end == ISOTime.format(ms: start + Int64(index + 1) * 60_000))
            }
            // Labels in the SLA's zone (UTC here): the date and the minute the bar starts.
            let startSecondOfDay = start / 1_000 % 86_400
            let label = String(format: "%02d:%02d", startSecondOfDay / 3_600, startSecondOfDay % 3_600 / 60)
            #expect(web.days[0].label == web.days[0].date + " " + label)

            // 5 minutes: 12 bars, the 5th and 6th (20-30 min) wholly down.
            let five = try #require(try await bars(hour + "&resolution=5m").1.first)
            #expect(five.resolutionSeconds == 300 && five.days.count == 12)
            #expect(five.days.map(\.downSeconds) == [0, 0, 0, 0, 300, 300, 0, 0, 0, 0, 0, 0])
            // One hour: 3,000 s up and 600 s down, as /v1/services/web/sla counts it.
            let one = try #require(try await bars(hour + "&resolution=1h").1.first)
            #expect(one.days.count == 1 && one.days[0].upSeconds == 3_000 && one.days[0].downSeconds == 600)
            // A window that is not on the grid cuts the first and last bar to it: +19:30 to +21:15.
            let offGrid = "from=\(ISOTime.format(ms: start + 1_170_000))&to=\(ISOTime.format(ms: start + 1_275_000))&resolution=1m"
            let cut = try #require(try await bars(offGrid).1.first)
            #expect(cut.days.map(\.upSeconds) == [30, 0, 0])
            #expect(cut.days.map(\.downSeconds) == [0, 60, 15])
            // auto over 7 days and the default: calendar days, as before.
            let week = try #require(try await bars("window=7d&resolution=auto").1.first)
            #expect(week.resolutionSeconds == 86_400 && week.days.allSatisfy { $0.label == $0.date })
            let plain = try #require(try await bars(hour).1.first)
            #expect(plain.resolutionSeconds == 86_400 && plain.days.map(\.date) == [web.days[0].date])
            // Refused with a reason: not a divisor of a day, too many bars.
            #expect(try await bars(hour + "&resolution=7m").0 == 400)
            #expect(try await bars(hour + "&resolution=fast").0 == 400)
            #expect(try await bars("window=30d&resolution=1m").0 == 400)
        }
    }

    @Test("auto bar sizes at their boundaries")
    func barChoice() {
        typealias R = SLAReporter.BarResolution
        #expect(R.choose(spanMs: 3_600_000) == .fixed(ms: 60_000))
        #expect(R.choose(spanMs: 7_200_000) == .fixed(ms: 60_000))
        #expect(R.choose(spanMs: 7_200_001) == .fixed(ms: 300_000))
        #expect(R.choose(spanMs: 43_200_000) == .fixed(ms: 300_000))
        #expect(R.choose(spanMs: 86_400_000) == .fixed(ms: 3_600_000))
        #expect(R.choose(spanMs: 259_200_000) == .fixed(ms: 3_600_000))
        #expect(R.choose(spanMs: 259_200_001) == .day)
    }

    @Test("two locations ingested over HTTP give exact SLA figures, outages and rollups", arguments: StoreEngine.available)
    func serviceFigures(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            var policy = ServicePolicy()
            policy.target = Percentage("99")
            policy.latency = LatencyObjective(thresholdMs: 300, target: Percentage("99")!)
            configuration.catalog.services["web"] = policy
        }
        defer { harness.directory.remove() }
        let tokens = [try await harness.addAgent("a1"), try await harness.addAgent("a2")]
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = (WallClockForTests.nowMs() / 3_600_000 - 3) * 3_600_000
            for token in tokens {
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(Self.hour(start: start)), token: token).status == 200)
            }
            let window = "from=\(ISOTime.format(ms: start))&to=\(ISOTime.format(ms: start + 3_600_000))"

            // Both locations down 20–30 min: the service is down 600 s of 3 600 → 3 000 / 3 600.
            let (status, data) = try await Self.send(.GET, port, "/v1/services/web/sla?\(window)&explain=true", token: admin)
            #expect(status == 200)
            let report = try JSONDecoder().decode(SLAReportInfo.self, from: data)
            #expect(report.upSeconds == 3_000 && report.downSeconds == 600 && report.eligibleSeconds == 3_600)
            #expect(report.availability == 3_000.0 / 3_600)
            #expect(report.met == false && report.targetPercent == 99)
            #expect(report.checks == 2 && report.outageCount == 1)
            #expect(report.outages.first?.locations == ["a1/web", "a2/web"])
            #expect(report.outages.first?.firstMessage == "status 503")
            #expect(report.meanTimeToDetectSeconds == 10)
            // Occurrences from the rollups: 2 × 360 probes in the hour, 2 × 60 down.
            #expect(report.availabilityByMethod["occurrences"] == 600.0 / 720)
            #expect(report.latency.probes == 600 && report.latency.attainment == 1 && report.latency.met == true)
            #expect(report.explain?.locations.map(\.downSeconds) == [600, 600])
            let keys = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            for key in ["availability", "error_budget", "burn_rates", "outage_count", "mttr_seconds", "eligible_seconds", "latency", "explain"] {
                #expect(keys[key] != nil, "missing \(key)")
            }

            let occurrences = try JSONDecoder().decode(
                SLAReportInfo.self, from: try await Self.send(.GET, port, "/v1/services/web/sla?\(window)&method=occurrences", token: admin).1
            )
            #expect(occurrences.good == 600 && occurrences.counted == 720 && occurrences.errorBudget?.unit == "probes")

            // Maintenance over the second half of the outage: 300 s leave eligible and down time.
            let body = #"{"service": "web", "start": "\#(ISOTime.format(ms: start + 1_500_000))", "duration": "5m", "reason": "failover drill"}"#
            let (created, createdBody) = try await Self.send(.POST, port, "/v1/maintenance", token: admin, body: body)
            #expect(created == 201)
            let window1 = try JSONDecoder().decode(MaintenanceInfo.self, from: createdBody)
            let withMaintenance = try JSONDecoder().decode(
                SLAReportInfo.self, from: try await Self.send(.GET, port, "/v1/services/web/sla?\(window)", token: admin).1
            )
            #expect(withMaintenance.maintenanceSeconds == 300 && withMaintenance.downSeconds == 300)
            #expect(withMaintenance.availability == 3_000.0 / 3_300)
            #expect(withMaintenance.outages.first?.inMaintenance == true)
            let listed = try JSONDecoder().decode([MaintenanceInfo].self, from: try await Self.send(.GET, port, "/v1/maintenance", token: admin).1)
            #expect(listed.map(\.reason) == ["failover drill"])
            #expect(try await Self.send(.DELETE, port, "/v1/maintenance/\(window1.id)", token: admin).0 == 204)
            #expect(try await Self.send(.DELETE, port, "/v1/maintenance/\(window1.id)", token: admin).0 == 404)

            let outages = try JSONDecoder().decode(
                [OutageInfo].self, from: try await Self.send(.GET, port, "/v1/outages?service=web&since=1d", token: admin).1
            )
            #expect(outages.count == 1 && outages.first?.durationSeconds == 600 && outages.first?.ongoing == false)
            #expect(try await Self.send(.GET, port, "/v1/outages?open=true", token: admin).1 == Data("[]".utf8))

            let all = try JSONDecoder().decode([SLAReportInfo].self, from: try await Self.send(.GET, port, "/v1/report?\(window)", token: admin).1)
            #expect(all.map(\.service) == ["web"])
        }
    }

    @Test("bad windows and maintenance requests are refused with a reason", arguments: StoreEngine.available)
    func badRequests(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            for (path, reason) in [
                ("/v1/report?month=2026-13", "invalid month"),
                ("/v1/report?quarter=2026-Q5", "invalid quarter"),
                ("/v1/report?month=2026-10&window=30d", "give one window"),
                ("/v1/report?method=average", "method must be"),
                ("/v1/outages?since=yesterday", "since must be"),
            ] {
                let (status, body) = try await Self.send(.GET, port, path, token: admin)
                #expect(status == 400, "\(path)")
                #expect(String(decoding: body, as: UTF8.self).contains(reason), "\(path)")
            }
            #expect(try await Self.send(.GET, port, "/v1/services/nope/sla", token: admin).0 == 404)
            for body in [
                #"{"service": "web", "start": "2026-11-01T02:00:00Z"}"#,
                #"{"service": "web", "start": "2026-11-01T02:00:00Z", "end": "2026-11-01T01:00:00Z"}"#,
                #"{"service": "web", "weekly": "someday 02:00-04:00"}"#,
                #"{"service": "web", "weekly": "sun 02:00-04:00", "time_zone": "Mars/Base"}"#,
                #"{"service": "bad name!", "start": "2026-11-01T02:00:00Z", "duration": "1h"}"#,
            ] {
                #expect(try await Self.send(.POST, port, "/v1/maintenance", token: admin, body: body).0 == 400, "\(body)")
            }
            #expect(try await Self.send(.DELETE, port, "/v1/maintenance/config-1", token: admin).0 == 400)
        }
    }
}
