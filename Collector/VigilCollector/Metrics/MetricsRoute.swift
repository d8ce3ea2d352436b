import Hummingbird
import NIOCore
import VigilCore

/// `GET /metrics`: Prometheus text exposition of the collector's counters, its ingest queue and
/// leadership, and, read at scrape time, every service's state, availability and error budget over its
/// current SLA period and every agent's last contact. Needs a read token unless
/// `public: {metrics: true}`. The SLA figures are computed at most every 15 s, however often Prometheus
/// scrapes, and shared with the status page.
struct MetricsRoute: Sendable {
    let store: any CredentialStore & ReportStore
    let reporter: SLAReporter
    let metrics: CollectorMetrics
    let budget: IngestBudget
    /// Whether the store takes writes.
    let storeHealth: StoreHealth
    let leadership: Leadership
    let authenticator: Authenticator
    let isPublic: Bool
    /// Each service's current SLA period, shared with the status page.
    let currentPeriods: TimedCache<[SLAReporter.ServiceReport]>

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        if !isPublic { try await authenticator.requireRead(request) }
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        var exposition = Exposition()
        exposition.family("vigil_collector_ingest_inflight_bytes", type: "gauge",
            help: "Bytes batch requests hold now (the ingest queue).", [([], Double(budget.usedBytes))])
        exposition.family("vigil_collector_ingest_inflight_requests", type: "gauge",
            help: "Batch requests being read or stored now.", [([], Double(budget.requestsInFlight))])
        exposition.family("vigil_collector_ingest_budget_bytes", type: "gauge",
            help: "Bytes batch requests may hold together before 503.", [([], Double(budget.limitBytes))])
        exposition.family("vigil_collector_leader", type: "gauge",
            help: "1 when this replica evaluates and delivers alerts.", [([], leadership.isLeader ? 1 : 0)])
        exposition.family("vigil_collector_store_up", type: "gauge",
            help: "1 while the store takes writes, 0 after a storage failure (full disk, read-only or corrupted file, database gone) until a write works again.",
            [([], storeHealth.degradedCause == nil ? 1 : 0)])
        let now = WallClock.nowMs()
        exposition.append(serviceFamilies(try await currentPeriods.value(nowMs: now) {
            try await reporter.evaluateAll(StatusRoutes.currentPeriodsRequest, nowMs: now)
        }))
        try await agentFamilies(into: &exposition, nowMs: now)
        var body = ByteBuffer(bytes: buffer)
        body.writeString(exposition.text)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body)
        )
    }

    func serviceFamilies(_ reports: [SLAReporter.ServiceReport]) -> String {
        let results = reports.map(\.result)
        func samples(_ value: (SLAResult) -> Double?) -> [(labels: [(String, String)], value: Double?)] {
            results.map { ([("service", $0.service)], value($0)) }
        }
        var exposition = Exposition()
        exposition.family("vigil_service_up", type: "gauge", help: "1 when the service is up or degraded now, 0 when down (absent when unknown).",
            samples { result in
                switch result.stateAtEnd {
                case .up, .degraded: 1
                case .down: 0
                case .unknown: nil
                }
            })
        exposition.family("vigil_service_availability_ratio", type: "gauge",
            help: "Availability over the current SLA period, as the SLA counts it (0-1).", samples { $0.availability })
        exposition.family("vigil_service_sla_target_ratio", type: "gauge",
            help: "The SLA target (0-1).", samples { $0.target.map { Double($0.ppm) / 1_000_000 } })
        exposition.family("vigil_service_error_budget_remaining_ratio", type: "gauge",
            help: "Share of the current period's error budget left (negative when overspent).", samples { $0.budget?.remainingRatio })
        exposition.family("vigil_service_downtime_seconds", type: "gauge",
            help: "Eligible down time in the current SLA period.", samples { Double($0.downMs) / 1000 })
        return exposition.text
    }

    func agentFamilies(into exposition: inout Exposition, nowMs: Int64) async throws {
        let agents = try await store.agents()
        func samples(_ value: (AgentRecord) -> Double?) -> [(labels: [(String, String)], value: Double?)] {
            agents.map { ([("agent", $0.name)], value($0)) }
        }
        exposition.family("vigil_collector_agent_last_seen_timestamp_seconds", type: "gauge",
            help: "When the agent's last batch arrived (Unix time).", samples { $0.lastSeenMs.map { Double($0) / 1000 } })
        exposition.family("vigil_collector_agent_heartbeats_total", type: "counter",
            help: "Heartbeats stored from the agent.", samples { Double($0.heartbeats) })
        exposition.family("vigil_collector_agent_heartbeats_dropped_total", type: "counter",
            help: "Heartbeats the agent reported it dropped (spool full).", samples { Double($0.dropped) })
    }
}
