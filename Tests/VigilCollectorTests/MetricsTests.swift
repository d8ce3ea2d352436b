import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Collector /metrics")
struct MetricsTests {
    /// The sample of `name` with exactly these labels, from exposition text.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("counters, queue, per-service SLA gauges and per-agent figures; a read token is needed unless public")
    func exposition() async throws {
        let harness = try await TestCollector(configure: StatusPageTests.webTarget("99.5"))
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("edge-1")
        try await withServices([harness.collector]) {
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 120_000
            let batch = BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: start, statuses: [.up, .up, .down, .up]))
            #expect(try await IngestTests.post(port, body: batch, token: token).status == 200)
            #expect(try await IngestTests.post(port, body: batch, token: token).status == 200)
            #expect(try await IngestTests.post(port, body: batch, token: "vigil_agt_wrong").status == 401)

            #expect(try await ReadAPITests.get(port, "/metrics", token: nil).0 == 401)
            #expect(try await ReadAPITests.get(port, "/metrics", token: token).0 == 401)
            let (status, data) = try await ReadAPITests.get(port, "/metrics", token: harness.collector.adminToken)
            #expect(status == 200)
            let text = String(decoding: data, as: UTF8.self)
            #expect(Self.sample(text, #"vigil_collector_batches_total{outcome="accepted"}"#) == 1)
            #expect(Self.sample(text, #"vigil_collector_batches_total{outcome="duplicate"}"#) == 1)
            #expect(Self.sample(text, #"vigil_collector_batches_total{outcome="unauthorized"}"#) == 1)
            #expect(Self.sample(text, "vigil_collector_heartbeats_ingested_total") == 4)
            #expect(Self.sample(text, "vigil_collector_batch_duration_seconds_count") == 3)
            #expect(Self.sample(text, "vigil_collector_ingest_inflight_requests") == 0)
            #expect(Self.sample(text, "vigil_collector_leader") == 1)
            #expect(Self.sample(text, #"vigil_service_sla_target_ratio{service="web"}"#) == 0.995)
            let availability = try #require(Self.sample(text, #"vigil_service_availability_ratio{service="web"}"#))
            #expect(availability > 0 && availability <= 1)
            #expect(Self.sample(text, #"vigil_service_error_budget_remaining_ratio{service="web"}"#) != nil)
            #expect(Self.sample(text, #"vigil_collector_agent_heartbeats_total{agent="edge-1"}"#) == 4)
            #expect(Self.sample(text, #"vigil_collector_agent_heartbeats_dropped_total{agent="edge-1"}"#) == 0)
            #expect(text.contains("# TYPE vigil_collector_agent_last_seen_timestamp_seconds gauge"))
        }
        let open = try await TestCollector { $0.publicAccess.metrics = true }
        defer { open.directory.remove() }
        try await withServices([open.collector]) { () async throws in
            let port = await open.ports.port()
            #expect(try await ReadAPITests.get(port, "/metrics", token: nil).0 == 200)
        }
    }

    @Test("label values are escaped; whole numbers print without a fraction")
    func escaping() {
        var exposition = Exposition()
        exposition.family("x", type: "gauge", help: "h", [([("service", "a\"b\\c\nd")], 2), ([("service", "skip")], nil), ([], 0.25)])
        #expect(exposition.text == "# HELP x h\n# TYPE x gauge\nx{service=\"a\\\"b\\\\c\\nd\"} 2\nx 0.25\n")
    }
}
