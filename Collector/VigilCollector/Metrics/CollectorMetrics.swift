import Prometheus

/// The collector's own counters, in Prometheus form; ``MetricsRoute`` serves them with the figures read
/// from the store at scrape time.
///
/// - `vigil_collector_batches_total{outcome}`: batch requests by outcome (`accepted`, `duplicate`, or the
///   error code: `unauthorized`, `rate_limited`, `overloaded`, `body_too_large`, `malformed_body`, …)
/// - `vigil_collector_heartbeats_ingested_total`, `vigil_collector_heartbeats_refused_total`
/// - `vigil_collector_heartbeats_out_of_scope_total`: of the refused, those for a service the agent may not
///   report (its scope, or the config's `services: NAME: agents:`)
/// - `vigil_collector_batch_duration_seconds`: histogram of batch request handling, body to answer
/// - `vigil_collector_ingest_transactions_total`, `vigil_collector_ingest_transaction_batches`: the
///   store transactions ingest committed, and a histogram of how many batch requests each held (group
///   commit, SQLite)
/// - `vigil_collector_connections_open`, `vigil_collector_connections_refused_total{reason}`
///   (`too_many_connections`, `request_timeout`): the listener's connections and those it turned away
public final class CollectorMetrics: Sendable {
    /// The registry behind the counters.
    public let registry = PrometheusCollectorRegistry()

    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    public init() {
        // Registered up front so that the series exist, at zero, before the first batch.
        for outcome in ["accepted", "duplicate"] { _ = batches(outcome) }
        _ = ingested
        _ = refused
        _ = outOfScope
        _ = duration
        _ = transactions
        _ = transactionBatches
        _ = openConnections
        for reason in ["too_many_connections", "request_timeout"] { _ = refusedConnections(reason) }
    }

    static func name(_ metric: String, unit: String? = nil, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", subsystem: "collector", metricName: metric, unitName: unit, helpText: help)
    }

    private func batches(_ outcome: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("batches", unit: "total", help: "Batch requests, by outcome."), labels: [("outcome", outcome)])
    }

    private var ingested: Counter {
        registry.makeCounter(descriptor: Self.name("heartbeats_ingested", unit: "total", help: "Heartbeats stored."))
    }

    private var refused: Counter {
        registry.makeCounter(descriptor: Self.name("heartbeats_refused", unit: "total", help: "Heartbeats refused one by one (too old, in the future, unknown check)."))
    }

    private var outOfScope: Counter {
        registry.makeCounter(descriptor: Self.name(
            "heartbeats_out_of_scope", unit: "total", help: "Heartbeats refused because the agent may not report their service."
        ))
    }

    private var openConnections: Gauge {
        registry.makeGauge(descriptor: Self.name("connections_open", help: "Connections open on the listener."))
    }

    private func refusedConnections(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("connections_refused", unit: "total", help: "Connections turned away, by reason."), labels: [("reason", reason)]
        )
    }

    /// Records the number of open connections.
    func connectionsOpen(_ count: Int) { openConnections.set(Double(count)) }

    /// Records a connection turned away.
    func connectionRefused(_ reason: String) { refusedConnections(reason).increment() }

    private var duration: DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.name("batch_duration", unit: "seconds", help: "Batch request handling, from the body to the answer."),
            buckets: Self.buckets
        )
    }

    /// Records a batch that was stored (or recognised as a duplicate).
    func stored(accepted: Int, refused refusedCount: Int, outOfScope outOfScopeCount: Int = 0, duplicate: Bool, took: Duration) {
        batches(duplicate ? "duplicate" : "accepted").increment()
        ingested.increment(by: Int64(accepted))
        if refusedCount > 0 { refused.increment(by: Int64(refusedCount)) }
        if outOfScopeCount > 0 { outOfScope.increment(by: Int64(outOfScopeCount)) }
        duration.record(took)
    }

    private var transactions: Counter {
        registry.makeCounter(descriptor: Self.name("ingest_transactions", unit: "total", help: "Store transactions ingest committed (group commit)."))
    }

    private var transactionBatches: ValueHistogram {
        registry.makeValueHistogram(
            descriptor: Self.name("ingest_transaction_batches", help: "Batch requests one ingest transaction held."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128]
        )
    }

    /// Records an ingest transaction of `batches` batch requests.
    public func committed(batches: Int) {
        transactions.increment()
        transactionBatches.record(Double(batches))
    }

    /// Records a batch answered with an error code.
    func failed(code: String, took: Duration) {
        batches(code).increment()
        duration.record(took)
    }
}
