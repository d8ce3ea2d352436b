import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Issue 18 through the real HTTP API, on SQLite and PostgreSQL: late heartbeats, the timeslices figure
/// and its query parameters, and figures that are exact by contract. Every expected value is worked out
/// by hand in the comments.
@Suite("Exact figures over HTTP")
struct ExactFiguresAPITests {
    static let definition = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)

    /// 20 minutes of 10 s probes from `start`: down from +300 s to +480 s (18 failures), one lone failure
    /// at +720 s (a blip), up otherwise. Stale after 25 s, so the last heartbeat (+1 190 s) holds to
    /// +1 215 s.
    static func history(start: Int64) -> [Heartbeat] {
        (0..<120).map { i in
            let offset = Int64(i) * 10_000
            let down = (300_000..<480_000).contains(offset) || offset == 720_000
            return Heartbeat(check: 1, timestampMs: start + offset, status: down ? .down : .up, code: down ? 503 : 200, message: down ? "status 503" : "")
        }
    }

    /// One heartbeat a batch (an agent shipping every few seconds), each batch carrying the definition so
    /// that any order is accepted; `seq` follows time, the order of sending does not.
    static func send(_ beats: [Heartbeat], order: [Int], port: Int, token: String) async throws {
        for index in order {
            let batch = Batch(sessionID: "s1", seq: UInt64(index + 1), agentVersion: "test", checks: [definition], heartbeats: [beats[index]])
            let answer = try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token)
            #expect(answer.status == 200 && answer.json["accepted"] as? Int == 1, "\(answer.body)")
        }
    }

    static func report(_ port: Int, _ path: String, token: String) async throws -> (SLAReportInfo, [String: Any]) {
        let (status, data) = try await SLAAPITests.send(.GET, port, path, token: token)
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        return (try JSONDecoder().decode(SLAReportInfo.self, from: data), try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    /// A collector whose service `web` has a 99 % target, without the per-agent rate limit (the tests
    /// send hundreds of one-heartbeat batches in a burst).
    static func collector(_ engine: StoreEngine) async throws -> TestCollector {
        try await TestCollector(engine: engine) { configuration in
            var policy = ServicePolicy()
            policy.target = Percentage("99")
            configuration.catalog.services["web"] = policy
            configuration.rateLimit = nil
        }
    }

    @Test("late heartbeats in any order give the in-order figures, outage and blip", arguments: StoreEngine.available)
    func lateHeartbeats(engine: StoreEngine) async throws {
        let harness = try await Self.collector(engine)
        defer { harness.directory.remove() }
        let inOrder = try await harness.addAgent("a1")
        let shuffled = try await harness.addAgent("a2")
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = (WallClockForTests.nowMs() / 3_600_000 - 2) * 3_600_000
            let beats = Self.history(start: start)
            let window = "from=\(ISOTime.format(ms: start))&to=\(ISOTime.format(ms: start + 1_200_000))"

            // Agent a1 delivers in order; the service's figures are the reference.
            try await Self.send(beats, order: Array(beats.indices), port: port, token: inOrder)
            let (reference, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&explain=true", token: admin)
            // Down from the first failure (+300 s) to the first success (+480 s): 180 s of 1 200.
            #expect(reference.downSeconds == 180 && reference.upSeconds == 1_020 && reference.unknownSeconds == 0)
            #expect(reference.outageCount == 1 && reference.blips == 1)

            // Agent a2 sends the same heartbeats newest first, then every other one, then the rest: each
            // is late but the first. Compared on its own location through --explain.
            let order = Array(beats.indices.reversed().filter { $0 % 2 == 0 }) + Array(beats.indices.filter { $0 % 2 == 1 })
            try await Self.send(beats, order: order, port: port, token: shuffled)
            let (both, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&explain=true", token: admin)
            let locations = try #require(both.explain?.locations)
            #expect(locations.map(\.name) == ["a1/web", "a2/web"])
            #expect(locations[0].upSeconds == locations[1].upSeconds && locations[0].downSeconds == locations[1].downSeconds)
            #expect(locations[1].downSeconds == 180 && locations[1].unknownSeconds == 0)
            #expect(locations[0].blips.map(\.from) == locations[1].blips.map(\.from))
            #expect(locations[1].blips.count == 1 && locations[1].blips.first?.failures == 1)
            // Both locations agree, so the service's figures are the reference's.
            #expect(both.downSeconds == 180 && both.upSeconds == 1_020 && both.outageCount == 1 && both.blips == 2)
            #expect(both.outages.first?.start == ISOTime.format(ms: start + 300_000) && both.outages.first?.end == ISOTime.format(ms: start + 480_000))
            #expect(both.outages.first?.locations == ["a1/web", "a2/web"])
        }
    }

    @Test("the timeslices figure is always reported; slice, threshold and unknown policy per query", arguments: StoreEngine.available)
    func timeslicesAndUnknown(engine: StoreEngine) async throws {
        let harness = try await Self.collector(engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = (WallClockForTests.nowMs() / 3_600_000 - 2) * 3_600_000
            let beats = Self.history(start: start)
            try await Self.send(beats, order: Array(beats.indices), port: port, token: token)
            // 25 minutes: known [0, 1 215 s), unknown [1 215, 1 500): 285 s.
            let window = "from=\(ISOTime.format(ms: start))&to=\(ISOTime.format(ms: start + 1_500_000))"

            // Time: 1 035 up / 1 215 known. Timeslices (1 min, bad above 0 %): slices 0–20 hold known
            // time (21), minutes 5, 6 and 7 are down: 18 / 21.
            let (plain, _) = try await Self.report(port, "/v1/services/web/sla?\(window)", token: admin)
            #expect(plain.method == "time" && plain.upSeconds == 1_035 && plain.downSeconds == 180 && plain.unknownSeconds == 285)
            #expect(plain.availabilityByMethod["time"] == 1_035.0 / 1_215)
            #expect(plain.availabilityByMethod["timeslices"] == 18.0 / 21)

            // 5-minute slices, bad above 50 %: [300, 600) is 180 / 300 = 60 % down, bad; 5 known slices
            // ([1 200, 1 500) holds 15 s of known time): 4 / 5.
            let (fiveMinutes, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&timeslice=5m&bad_above=50", token: admin)
            #expect(fiveMinutes.method == "time" && fiveMinutes.availabilityByMethod["timeslices"] == 4.0 / 5)
            // Bad above 70 %: 60 % is good, every known slice is: 5 / 5, counted as the method in slices.
            let (lenient, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&method=timeslices&timeslice=5m&bad_above=70", token: admin)
            #expect(lenient.method == "timeslices" && lenient.good == 5 && lenient.counted == 5 && lenient.availability == 1)
            // Its budget is in slices: 1 % of 5 is 0.05 slices.
            #expect(lenient.errorBudget?.unit == "slices" && lenient.errorBudget?.total == 0.05)

            // Unknown counted as down: 1 035 / 1 500; as up: 1 320 / 1 500. Slices: unknown ones (4 of the
            // 25) count as down: 18 / 25.
            let (asDown, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&unknown=down", token: admin)
            #expect(asDown.unknownPolicy == "down" && asDown.availability == 1_035.0 / 1_500)
            #expect(asDown.availabilityByMethod["timeslices"] == 18.0 / 25)
            let (asUp, _) = try await Self.report(port, "/v1/services/web/sla?\(window)&unknown=up", token: admin)
            #expect(asUp.availability == 1_320.0 / 1_500)

            for (query, reason) in [
                ("timeslice=1x", "timeslice must be"), ("timeslice=100ms", "timeslice must be"),
                ("bad_above=101", "bad_above must be"), ("unknown=maybe", "unknown must be"),
            ] {
                let (status, body) = try await SLAAPITests.send(.GET, port, "/v1/services/web/sla?\(window)&\(query)", token: admin)
                #expect(status == 400 && String(decoding: body, as: UTF8.self).contains(reason), "\(query)")
            }
        }
    }

    /// An hour of 1 s probes from `start`, down for exactly `downMs` from +600 s (failures every second,
    /// the first success at +600 s + downMs).
    static func hourWithDowntime(start: Int64, downMs: Int64, check: UInt32 = 1) -> [Heartbeat] {
        var beats: [Heartbeat] = []
        var t: Int64 = 0
        let outageEnd = 600_000 + downMs
        while t < 3_600_000 {
            let down = t >= 600_000 && t < outageEnd
            beats.append(Heartbeat(check: check, timestampMs: start + t, status: down ? .down : .up))
            // The grid, plus the first success exactly where the outage ends.
            let next = t + 1_000
            t = (t < outageEnd && next > outageEnd) ? outageEnd : (t == outageEnd ? (t / 1_000 + 1) * 1_000 : next)
        }
        return beats
    }

    @Test("budgets, missed-by points and burn rates are exact at and around the target", arguments: StoreEngine.available)
    func exactBudgets(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            for (service, target) in [("at", "99.9"), ("over", "99.9"), ("burn", "99.99"), ("burn-more", "99.99")] {
                var policy = ServicePolicy()
                policy.target = Percentage(target)
                configuration.catalog.services[service] = policy
            }
        }
        defer { harness.directory.remove() }
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = (WallClockForTests.nowMs() / 3_600_000 - 2) * 3_600_000
            for (service, downMs) in [("at", Int64(3_600)), ("over", 3_601), ("burn", 5_184), ("burn-more", 5_185)] {
                let token = try await harness.addAgent("agent-\(service)")
                let definition = CheckDefinition(id: 1, name: "probe", service: service, kind: "http", target: "http://x", intervalMs: 1_000, timeoutMs: 500)
                let batch = Batch(sessionID: "s", seq: 1, agentVersion: "test", checks: [definition], heartbeats: Self.hourWithDowntime(start: start, downMs: downMs))
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token).status == 200)
            }
            let window = "from=\(ISOTime.format(ms: start))&to=\(ISOTime.format(ms: start + 3_600_000))"

            // 99.9 % of an hour: the budget is 3.6 s exactly (3 600 000 ms × 1 000 ppm / 10⁶). 3.6 s down is
            // exactly at the target: met, 0 remaining, ratio 0, and the hour's burn rate is exactly 1.
            let (at, atJSON) = try await Self.report(port, "/v1/services/at/sla?\(window)", token: admin)
            #expect(at.downSeconds == 3.6 && at.met == true && at.missedByPoints == nil)
            #expect(at.errorBudget?.total == 3.6 && at.errorBudget?.consumed == 3.6)
            #expect(at.errorBudget?.remaining == 0 && at.errorBudget?.remainingRatio == 0)
            #expect(at.burnRates.first?.window == "1h" && at.burnRates.first?.rate == 1)
            let budget = try #require(atJSON["error_budget"] as? [String: Any])
            #expect("\(budget["total"]!)" == "3.6" && "\(budget["remaining"]!)" == "0")

            // 1 ms more: missed by (999 000 × 3 600 000 − 3 596 399 × 10⁶) / (3 600 000 × 10⁴) = 1 / 36 000
            // points; remaining −0.001 s, ratio −0.001 / 3.6 = −1 / 3 600; burn rate 3 601 / 3 600.
            let (over, _) = try await Self.report(port, "/v1/services/over/sla?\(window)", token: admin)
            #expect(over.met == false && over.missedByPoints == 1.0 / 36_000)
            #expect(over.errorBudget?.remaining == -0.001 && over.errorBudget?.remainingRatio == -1.0 / 3_600)
            #expect(over.burnRates.first?.rate == 3_601.0 / 3_600)

            // 99.99 %: 5 184 ms down in the hour is a burn rate of (5 184 / 3 600 000) / 0.0001 = 14.4
            // exactly (the page threshold, so the 1h/5m rule does not fire); 5 185 ms is just above.
            let (burn, burnJSON) = try await Self.report(port, "/v1/services/burn/sla?\(window)", token: admin)
            #expect(burn.burnRates.first?.rate == 14.4)
            let rates = try #require(burnJSON["burn_rates"] as? [[String: Any]])
            #expect("\(rates[0]["rate"]!)" == "14.4")
            #expect(burn.errorBudget?.total == 0.36 && burn.errorBudget?.remaining == -4.824)
            let (more, _) = try await Self.report(port, "/v1/services/burn-more/sla?\(window)", token: admin)
            #expect(more.burnRates.first?.rate == 5_185.0 / 360)
        }
    }
}
