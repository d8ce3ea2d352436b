import Hummingbird
import VigilCore
import VigilWire

/// The operator's read API: services, uptime and agents. Every route needs an API token of any scope.
struct ReadRoutes: Sendable {
    let store: any CredentialStore & ReplicaStore & ReportStore
    let catalog: ServiceCatalog
    let authenticator: Authenticator

    /// `GET /v1/services[?limit=N&cursor=C]`: each service's state now (by its quorum) and its last 24
    /// hours as the SLA engine counts them (confirmation, calendar, maintenance); by name, a page at a
    /// time (``Page``).
    func services(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let page = try Page(request.uri.queryParameters)
        let now = WallClock.nowMs()
        let reporter = SLAReporter(store: store, catalog: catalog)
        let (names, next) = page.slice(try await store.services().sorted())
        let day = try await reporter.evaluateAll(SLAReporter.Request(window: .rolling(ms: 86_400_000)), nowMs: now, only: Set(names))
            .sorted { $0.result.service < $1.result.service }
        // Each check's state now: the page's checks and the runs that hold at this instant, in one read
        // each (a read per service and per check made a page of 1,000 services take a second).
        let pageNames = Set(names)
        let checks = Dictionary(grouping: try await store.allChecks().filter { pageNames.contains($0.definition.service) }, by: \.definition.service)
        let ids = checks.values.flatMap { $0.map(\.id) }
        let current = ids.isEmpty ? [:] : try await store.intervals(checkIDs: ids, overlapping: TimeRange(startMs: now, endMs: now + 1))
        var result: [ServiceStatusInfo] = []
        for service in day where service.checks > 0 {
            let name = service.result.service
            guard let serviceChecks = checks[name], !serviceChecks.isEmpty else { continue }
            let figures = service.result
            let report = figures.uptime(checks: service.checks)
            let infos = serviceChecks.map { check in
                let state = current[check.id]?.last { $0.startMs <= now && now < $0.endMs }?.status ?? .unknown
                return CheckStatusInfo(
                    name: check.definition.name, agent: check.agentName, kind: check.definition.kind,
                    target: check.definition.target, state: state.rawValue,
                    lastHeartbeat: check.lastHeartbeat.map { ISOTime.format(ms: $0.timestampMs) },
                    latencyMs: check.lastHeartbeat.map { Double($0.latencyUs) / 1000 },
                    message: check.lastHeartbeat?.message
                )
            }
            // The confirmed state: a single failed probe is a blip, not an outage.
            result.append(ServiceStatusInfo(service: name, state: figures.stateAtEnd.rawValue, last24h: report, checks: infos))
        }
        var response = JSONBody.response(result)
        page.addNextLink(next, path: "/v1/services", to: &response)
        return response
    }

    /// `GET /v1/services/{service}/uptime?last=24h` or `?from=ISO&to=ISO`: the history as measured, by
    /// the SLA engine with no SLA settings (``ServicePolicy/asMeasured``).
    func uptime(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let service = try context.pathParameter("service")
        let now = WallClock.nowMs()
        let (from, to) = try Self.window(request.uri.queryParameters, nowMs: now)
        let reporter = SLAReporter(store: store, catalog: catalog)
        let asked = SLAReporter.Request(window: .range(TimeRange(startMs: from, endMs: to)), probes: .methodOnly, asMeasured: true)
        guard let report = try await reporter.evaluate(service: service, asked, nowMs: now), report.checks > 0 else {
            throw APIError.notFound("no service named \"\(service)\" (no check reports to it)")
        }
        return JSONBody.response(report.result.uptime(checks: report.checks))
    }

    /// `GET /v1/agents[?limit=N&cursor=C]`: by name, a page at a time (``Page``).
    func agents(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let page = try Page(request.uri.queryParameters)
        let now = WallClock.nowMs()
        let all = try await store.agents().sorted { $0.name < $1.name }
        let (names, next) = page.slice(all.map(\.name))
        let agents = all[names.startIndex..<names.endIndex].map { agent in
            AgentInfo(
                name: agent.name, createdAt: ISOTime.format(ms: agent.createdMs),
                lastSeen: agent.lastSeenMs.map { ISOTime.format(ms: $0) }, version: agent.agentVersion,
                sessionID: agent.sessionID, batches: agent.batches, heartbeats: agent.heartbeats, dropped: agent.dropped,
                lastHeartbeat: agent.lastHeartbeatMs.map { ISOTime.format(ms: $0) },
                lagSeconds: agent.lastHeartbeatMs.map { Double(max(0, now - $0)) / 1000 },
                revoked: agent.revoked,
                clockOffsetSeconds: agent.clockOffsetMs.map { Double($0) / 1000 },
                clockStepSeconds: agent.clockAdjustMs.map { Double($0) / 1000 },
                services: agent.scope?.patterns
            )
        }
        var response = JSONBody.response(agents)
        page.addNextLink(next, path: "/v1/agents", to: &response)
        return response
    }

    /// `GET /v1/replicas[?within=DURATION]`: collectors that reported within the last minute (or
    /// `within`), leader first.
    func replicas(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let within: Int64
        do {
            within = try DurationText.parseMilliseconds(request.uri.queryParameters.get("within") ?? "1m")
        } catch {
            throw APIError.badRequest("within: \(error.description)")
        }
        let replicas = try await store.replicas(seenSince: WallClock.nowMs() - within)
            .sorted { ($0.leader ? 0 : 1, $0.instance) < ($1.leader ? 0 : 1, $1.instance) }
            .map { replica in
                ReplicaInfo(
                    instance: replica.instance, address: replica.address, version: replica.version,
                    startedAt: ISOTime.format(ms: replica.startedMs), lastSeen: ISOTime.format(ms: replica.lastSeenMs), leader: replica.leader
                )
            }
        return JSONBody.response(replicas)
    }

    /// The window a query asks for: `last` (a duration back from now, default 24h) or `from`/`to`.
    static func window(_ query: Parameters, nowMs: Int64) throws -> (Int64, Int64) {
        let from = query.get("from")
        let to = query.get("to")
        if from != nil || to != nil {
            guard let fromText = from, let fromMs = ISOTime.parse(fromText) else {
                throw APIError.badRequest("from must be an ISO 8601 time such as 2026-11-01T00:00:00Z")
            }
            let toMs: Int64
            if let toText = to {
                guard let parsed = ISOTime.parse(toText) else {
                    throw APIError.badRequest("to must be an ISO 8601 time such as 2026-11-02T00:00:00Z")
                }
                toMs = parsed
            } else {
                toMs = nowMs
            }
            guard toMs > fromMs else { throw APIError.badRequest("to must be after from") }
            return (fromMs, toMs)
        }
        let last = query.get("last") ?? "24h"
        do {
            let span = try DurationText.parseMilliseconds(last)
            guard span > 0 else { throw APIError.badRequest("last must be greater than zero") }
            return (nowMs - span, nowMs)
        } catch let error as DurationText.ParseError {
            throw APIError.badRequest("last: \(error.description)")
        }
    }
}
