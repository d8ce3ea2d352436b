import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Issue 18: figures over `[from, to)` count exactly the probes whose timestamp is inside, whatever the
/// window's offset within a minute. Random heartbeats go in over HTTP; windows starting and ending at
/// every second offset (and odd milliseconds) are read back and compared with a naive count.
@Suite("Window edges over HTTP")
struct WindowEdgeTests {
    @Test("occurrences at every second offset within a minute equal a naive count of the raw heartbeats", arguments: StoreEngine.available)
    func everyOffset(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { $0.rateLimit = nil }
        defer { harness.directory.remove() }
        let tokens = [try await harness.addAgent("a1"), try await harness.addAgent("a2")]
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            var generator = SeededGenerator(seed: 18)
            let base = (WallClockForTests.nowMs() / 3_600_000 - 2) * 3_600_000
            let all = try await Self.sendRandomProbes(port: port, tokens: tokens, base: base, using: &generator)

            func naive(_ from: Int64, _ to: Int64, excluding: TimeRange? = nil) -> (good: Int64, counted: Int64) {
                let inside = all.filter { beat in
                    beat.timestampMs >= from && beat.timestampMs < to && !(excluding.map { beat.timestampMs >= $0.startMs && beat.timestampMs < $0.endMs } ?? false)
                }
                return (Int64(inside.filter { $0.status != .down }.count), Int64(inside.count))
            }
            func occurrences(_ from: Int64, _ to: Int64) async throws -> SLAReportInfo {
                let path = "/v1/services/web/sla?from=\(ISOTime.format(ms: from))&to=\(ISOTime.format(ms: to))&method=occurrences"
                let (status, data) = try await SLAAPITests.send(.GET, port, path, token: admin)
                #expect(status == 200)
                return try JSONDecoder().decode(SLAReportInfo.self, from: data)
            }
            // Every second offset of the start within a minute, with an odd millisecond, and an end at a
            // random offset 20 s to 9 min later.
            for second in 0..<60 {
                let from = base + 60_000 + Int64(second) * 1_000 + Int64.random(in: 0..<1_000, using: &generator)
                let to = from + Int64.random(in: 20_000...540_000, using: &generator)
                let expected = naive(from, to)
                let report = try await occurrences(from, to)
                #expect(report.good == expected.good && report.counted == expected.counted, "from +\(from - base) ms, to +\(to - base) ms")
                // Latency is measured on probes that got an answer: the good ones.
                #expect(report.latency.probes == expected.good, "latency probes from +\(from - base) ms")
            }
            // Whole minutes still come from the rollups alone.
            let aligned = try await occurrences(base + 60_000, base + 600_000)
            #expect(aligned.counted == naive(base + 60_000, base + 600_000).counted)

            // A maintenance window with seconds takes exactly its heartbeats out.
            let maintenance = TimeRange(startMs: base + 200_500, endMs: base + 263_250)
            let body = #"{"service": "web", "start": "\#(ISOTime.format(ms: maintenance.startMs))", "end": "\#(ISOTime.format(ms: maintenance.endMs))", "reason": "edges"}"#
            #expect(try await SLAAPITests.send(.POST, port, "/v1/maintenance", token: admin, body: body).0 == 201)
            let from = base + 90_017
            let to = base + 400_999
            let withMaintenance = try await occurrences(from, to)
            let expected = naive(from, to, excluding: maintenance)
            #expect(withMaintenance.good == expected.good && withMaintenance.counted == expected.counted)
        }
    }

    /// Two agents (one check each, service `web`), 12 minutes of probes from `base` at irregular ms
    /// instants (2–9 s apart) with random outcomes and latencies, shipped over HTTP in batches of 1–20
    /// heartbeats; returns every heartbeat sent.
    static func sendRandomProbes(port: Int, tokens: [String], base: Int64, using generator: inout SeededGenerator) async throws -> [Heartbeat] {
        var all: [Heartbeat] = []
        for token in tokens {
            let definition = CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 5_000, timeoutMs: 1_000)
            var beats: [Heartbeat] = []
            var t = base + Int64.random(in: 0..<3_000, using: &generator)
            while t < base + 720_000 {
                let status = [CheckStatus.up, .up, .up, .down, .degraded].randomElement(using: &generator)!
                beats.append(Heartbeat(check: 1, timestampMs: t, status: status, latencyUs: UInt32.random(in: 1_000...900_000, using: &generator)))
                t += Int64.random(in: 2_000...9_000, using: &generator)
            }
            all += beats
            var index = 0
            var seq: UInt64 = 1
            while index < beats.count {
                let size = Int.random(in: 1...20, using: &generator)
                let batch = Batch(sessionID: "s", seq: seq, agentVersion: "test", checks: [definition], heartbeats: Array(beats[index..<min(index + size, beats.count)]))
                #expect(try await IngestTests.post(port, body: BatchCodec.encodeForShipping(batch), token: token).status == 200)
                index += size
                seq += 1
            }
        }
        return all
    }

    @Test("reading only what the SLA method counts gives the same figures as reading every latency histogram", arguments: StoreEngine.available)
    func methodOnlyProbes(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { $0.rateLimit = nil }
        defer { harness.directory.remove() }
        let tokens = [try await harness.addAgent("a1"), try await harness.addAgent("a2")]
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            var generator = SeededGenerator(seed: 19)
            let base = (WallClockForTests.nowMs() / 3_600_000 - 2) * 3_600_000
            let all = try await Self.sendRandomProbes(port: port, tokens: tokens, base: base, using: &generator)
            let store = harness.collector.store

            // The counts alone (summed by the database) equal the counts read with their histograms,
            // over whole rows and over partial minutes replayed from the raw batches.
            let ranges = [TimeRange(startMs: base + 61_234, endMs: base + 333_333), TimeRange(startMs: base + 400_000, endMs: base + 700_001)]
            let full = try await store.probeCounts(service: "web", over: ranges, latency: true)
            let counts = try await store.probeCounts(service: "web", over: ranges, latency: false)
            let inside = all.filter { beat in ranges.contains { $0.startMs <= beat.timestampMs && beat.timestampMs < $0.endMs } }
            #expect(full.up == Int64(inside.filter { $0.status == .up }.count))
            #expect(full.down == Int64(inside.filter { $0.status == .down }.count))
            #expect(counts.up == full.up && counts.degraded == full.degraded && counts.down == full.down)
            #expect(full.latency.total == full.good)
            #expect(counts.latency.total == 0)

            for method in [SLAMethod.time, .occurrences] {
                var catalog = ServiceCatalog()
                catalog.defaults.method = method
                catalog.defaults.target = Percentage("99.5")
                let reporter = SLAReporter(store: store, catalog: catalog)
                let window = SLAWindow.range(TimeRange(startMs: base + 17_017, endMs: base + 690_123))
                let now = base + 720_000
                let wide = try await reporter.evaluateAll(SLAReporter.Request(window: window), nowMs: now)
                let narrow = try await reporter.evaluateAll(SLAReporter.Request(window: window, probes: .methodOnly), nowMs: now)
                #expect(wide.count == 1 && narrow.count == 1)
                let (a, b) = (wide[0].result, narrow[0].result)
                #expect(a.counted > 0)
                #expect(a.good == b.good && a.counted == b.counted, "\(method)")
                #expect(a.availability == b.availability && a.met == b.met, "\(method)")
                #expect(a.budget == b.budget && a.credit == b.credit, "\(method)")
                #expect(a.stateAtEnd == b.stateAtEnd && a.downMs == b.downMs && a.outageCount == b.outageCount, "\(method)")
                #expect(a.availabilityByMethod["time"] == b.availabilityByMethod["time"])
                #expect(a.availabilityByMethod["occurrences"] != nil)
                // Latency of every answered probe, read only with the histograms.
                #expect(a.latency.probes > 0)
                if method == .occurrences { #expect(a.latency.probes == a.good) }
                #expect(b.latency.probes == 0, "no histogram read")
                switch method {
                case .occurrences:
                    #expect(b.availabilityByMethod["occurrences"] == a.availabilityByMethod["occurrences"])
                default:
                    #expect(b.availabilityByMethod["occurrences"] == nil, "no probe read for a time SLA")
                }
            }
        }
    }
}
