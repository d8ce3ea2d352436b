import Prometheus
import VigilCore

/// The agent's own metrics, in Prometheus form (`metrics.listen` in the config serves them).
///
/// - `vigil_agent_probe_duration_seconds{check,kind}`: histogram of probe durations
/// - `vigil_agent_probes_total{check,status}`: probes by outcome
/// - `vigil_agent_spool_bytes`, `vigil_agent_spool_pending_heartbeats`: what waits on disk
/// - `vigil_agent_heartbeats_shipped_total`, `vigil_agent_batches_acked_total`: delivery
/// - `vigil_agent_ship_errors_total{reason}`: failed uploads (`transport`, `busy`, `rejected`, `unauthorized`, `too_large`)
/// - `vigil_agent_heartbeats_dropped_total`: heartbeats lost because the spool was full or the collector refused them
/// - `vigil_agent_clock_steps_total`, `vigil_agent_clock_adjust_seconds`: wall-clock steps the stamping clock
///   re-anchored on, and their sum
public final class AgentMetrics: Sendable {
    /// The registry behind the metrics; `emitToBuffer()` gives the exposition text.
    public let registry = PrometheusCollectorRegistry()

    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init() {
        // Registered up front so that the series exist (at zero) before anything happens.
        _ = registry.makeCounter(descriptor: Self.name("batches_acked", unit: "total", help: "Batches the collector acknowledged."))
        _ = registry.makeCounter(descriptor: Self.name("heartbeats_shipped", unit: "total", help: "Heartbeats the collector acknowledged."))
        _ = registry.makeCounter(descriptor: Self.name("heartbeats_dropped", unit: "total", help: "Heartbeats lost: spool full or refused by the collector."))
        _ = registry.makeGauge(descriptor: Self.name("spool", unit: "bytes", help: "Bytes of heartbeats in the spool."))
        _ = registry.makeGauge(descriptor: Self.name("spool_pending_heartbeats", help: "Heartbeats in the spool not yet in a batch."))
        _ = registry.makeCounter(descriptor: Self.name("clock_steps", unit: "total", help: "Wall-clock steps the stamping clock re-anchored on."))
        _ = registry.makeGauge(descriptor: Self.name("clock_adjust", unit: "seconds", help: "Sum of the wall-clock steps since the agent started."))
    }

    /// Records a wall-clock step of `milliseconds`.
    func clockStep(milliseconds: Int64) {
        registry.makeCounter(descriptor: Self.name("clock_steps", unit: "total", help: "Wall-clock steps the stamping clock re-anchored on.")).increment()
        let gauge = registry.makeGauge(descriptor: Self.name("clock_adjust", unit: "seconds", help: "Sum of the wall-clock steps since the agent started."))
        gauge.increment(by: Double(milliseconds) / 1_000)
    }

    static func name(_ metric: String, unit: String? = nil, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", subsystem: "agent", metricName: metric, unitName: unit, helpText: help)
    }

    /// Records one probe.
    func probe(check: String, kind: String, result: ProbeResult) {
        registry.makeDurationHistogram(
            descriptor: Self.name("probe_duration", unit: "seconds", help: "How long probes took."),
            labels: [("check", check), ("kind", kind)], buckets: Self.buckets
        ).recordNanoseconds(Int64(result.latencyUs) * 1000)
        registry.makeCounter(
            descriptor: Self.name("probes", unit: "total", help: "Probes run, by outcome."),
            labels: [("check", check), ("status", result.status.rawValue)]
        ).increment()
    }

    /// Records an acknowledged batch.
    func acked(heartbeats: Int) {
        registry.makeCounter(descriptor: Self.name("batches_acked", unit: "total", help: "Batches the collector acknowledged.")).increment()
        registry.makeCounter(descriptor: Self.name("heartbeats_shipped", unit: "total", help: "Heartbeats the collector acknowledged."))
            .increment(by: Int64(heartbeats))
    }

    /// Records a failed upload.
    func shipError(_ reason: String) {
        registry.makeCounter(descriptor: Self.name("ship_errors", unit: "total", help: "Failed uploads, by reason."), labels: [("reason", reason)]).increment()
    }

    /// Records heartbeats lost.
    func dropped(_ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.name("heartbeats_dropped", unit: "total", help: "Heartbeats lost: spool full or refused by the collector."))
            .increment(by: Int64(count))
    }

    /// Sets the spool gauges.
    func spool(bytes: Int, pending: Int) {
        registry.makeGauge(descriptor: Self.name("spool", unit: "bytes", help: "Bytes of heartbeats in the spool.")).set(Double(bytes))
        registry.makeGauge(descriptor: Self.name("spool_pending_heartbeats", help: "Heartbeats in the spool not yet in a batch.")).set(Double(pending))
    }
}
