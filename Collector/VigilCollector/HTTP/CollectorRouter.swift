import Hummingbird

/// All collector routes.
enum CollectorRouter {
    static func build(
        store: any Store, configuration: CollectorConfiguration, leadership: Leadership, ingestBudget: IngestBudget,
        metrics: CollectorMetrics, storeHealth: StoreHealth
    ) -> Router<BasicRequestContext> {
        let authenticator = Authenticator(store: store)
        let batches = BatchRoute(store: store, authenticator: authenticator, configuration: configuration, budget: ingestBudget,
            rateLimiter: configuration.rateLimit.map(AgentRateLimiter.init), metrics: metrics, storeHealth: storeHealth
        )
        // The current SLA periods, evaluated at most every 15 s for /metrics and /status together.
        let currentPeriods = TimedCache<[SLAReporter.ServiceReport]>(maxAgeMs: 15_000)
        let scrape = MetricsRoute(
            store: store, reporter: SLAReporter(store: store, catalog: configuration.catalog, minuteRollupRetentionMs: configuration.minuteRollupRetentionMs), metrics: metrics, budget: ingestBudget,
            storeHealth: storeHealth, leadership: leadership, authenticator: authenticator, isPublic: configuration.publicAccess.metrics,
            currentPeriods: currentPeriods
        )
        let reads = ReadRoutes(store: store, catalog: configuration.catalog, authenticator: authenticator)
        let admin = AdminRoutes(store: store, authenticator: authenticator)
        let sla = SLARoutes(reporter: SLAReporter(store: store, catalog: configuration.catalog, minuteRollupRetentionMs: configuration.minuteRollupRetentionMs), outageStore: store, authenticator: authenticator)
        let tickets = TicketRoutes(store: store, desk: TicketDesk(store: store, catalog: configuration.catalog), authenticator: authenticator)
        let alerts = AlertRoutes(store: store, settings: configuration.alerts, authenticator: authenticator)
        let statusPage = StatusRoutes(
            reporter: SLAReporter(store: store, catalog: configuration.catalog, minuteRollupRetentionMs: configuration.minuteRollupRetentionMs), outages: store,
            authenticator: authenticator, access: configuration.publicAccess, currentPeriods: currentPeriods
        )
        let tokens = TokenRoutes(store: store, authenticator: authenticator)
        let maintenance = MaintenanceRoutes(store: store, catalog: configuration.catalog, authenticator: authenticator)

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: StoreHealthMiddleware(health: storeHealth))
        router.get("/healthz") { _, _ in
            guard let cause = storeHealth.degradedCause else { return JSONBody.response(Health(status: "ok", leader: leadership.isLeader)) }
            var response = JSONBody.response(Health(status: "degraded", leader: leadership.isLeader, store: cause), status: .serviceUnavailable)
            response.headers[.retryAfter] = "5"
            return response
        }
        router.get("/metrics", use: scrape.handle)
        router.get("/status", use: statusPage.status)
        router.get("/badge/:service/status.svg", use: statusPage.statusBadge)
        router.get("/badge/:service/uptime.svg", use: statusPage.uptimeBadge)
        router.post("/v1/batches", use: batches.handle)
        router.get("/v1/services", use: reads.services)
        router.get("/v1/services/:service/uptime", use: reads.uptime)
        router.get("/v1/services/:service/sla", use: sla.service)
        router.get("/v1/report", use: sla.report)
        router.get("/v1/report/daily", use: sla.daily)
        router.get("/v1/slos", use: sla.slos)
        router.get("/v1/outages", use: sla.outages)
        router.get("/v1/outages/:id", use: tickets.outage)
        router.post("/v1/tickets", use: tickets.upsert)
        router.post("/v1/tickets/import", use: tickets.importMany)
        router.get("/v1/tickets", use: tickets.list)
        router.get("/v1/tickets/:id", use: tickets.show)
        router.post("/v1/tickets/:id/events", use: tickets.events)
        router.post("/v1/webhooks/tickets", use: tickets.upsert)
        router.post("/v1/webhooks/zendesk", use: tickets.zendesk)
        router.get("/v1/report/tickets", use: tickets.report)
        router.get("/v1/alerts", use: alerts.list)
        router.post("/v1/hooks/:name/test", use: alerts.test)
        router.get("/v1/silences", use: alerts.silences)
        router.post("/v1/silences", use: alerts.addSilence)
        router.delete("/v1/silences/:id", use: alerts.removeSilence)
        router.get("/v1/maintenance", use: maintenance.list)
        router.post("/v1/maintenance", use: maintenance.add)
        router.delete("/v1/maintenance/:id", use: maintenance.remove)
        router.get("/v1/agents", use: reads.agents)
        router.get("/v1/replicas", use: reads.replicas)
        router.post("/v1/agents", use: admin.addAgent)
        router.post("/v1/agents/:name/revoke", use: admin.revokeAgent)
        router.post("/v1/agents/:name/scope", use: admin.setScope)
        router.get("/v1/tokens", use: tokens.list)
        router.post("/v1/tokens", use: tokens.create)
        router.delete("/v1/tokens/:name", use: tokens.revoke)
        return router
    }
}

/// `GET /healthz`: `ok` (200), or `degraded` (503, with the store's failure) while the store cannot be
/// written; and whether this replica leads.
private struct Health: Encodable {
    var status: String
    var leader: Bool
    var store: String?
}

/// Marks the store degraded when any route meets a storage failure (``StoreError/Code/unavailable``).
struct StoreHealthMiddleware<Context: RequestContext>: RouterMiddleware {
    let health: StoreHealth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StoreError where error.code == .unavailable {
            health.failed(error.message, nowMs: WallClock.nowMs())
            throw error
        }
    }
}
