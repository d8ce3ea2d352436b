import Hummingbird
import VigilCore
import VigilWire

/// SLA figures, reports and outages (DESIGN §5). Every route needs an admin token.
struct SLARoutes: Sendable {
    let reporter: SLAReporter
    let authenticator: Authenticator

    /// `GET /v1/services/{service}/sla?month=2026-10|quarter=2026-Q4|year=2026|window=30d|from=&to=`
    /// `[&method=time|occurrences|timeslices][&explain=true]`; without a window, the SLA's current period.
    func service(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let service = try context.pathParameter("service")
        let now = WallClock.nowMs()
        let query = try Self.request(request.uri.queryParameters, nowMs: now)
        guard let report = try await reporter.evaluate(service: service, query, nowMs: now) else {
            throw APIError.notFound("no service named \"\(service)\" (no check reports to it and the config does not name it)")
        }
        return JSONBody.response(report.info)
    }

    /// `GET /v1/report?month=2026-10` (same window parameters): every service.
    func report(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let now = WallClock.nowMs()
        let query = try Self.request(request.uri.queryParameters, nowMs: now)
        let results = try await reporter.evaluateAll(query, nowMs: now)
        return JSONBody.response(results.map(\.info))
    }

    /// `GET /v1/report/daily?month=2026-10` (same window parameters): each service's days, counted by
    /// time, for charts.
    func daily(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let now = WallClock.nowMs()
        let query = try Self.request(request.uri.queryParameters, nowMs: now)
        let services = try await reporter.evaluateAll(query, nowMs: now).map(\.result)
        let days = try await reporter.daily(services: services.map(\.service), window: query.window, nowMs: now)
        return JSONBody.response(services.map { result in
            ServiceDaysInfo(
                service: result.service, targetPercent: result.target.map { Double($0.ppm) / 10_000 },
                days: (days[result.service] ?? []).map { day in
                    DayInfo(
                        date: day.date.description, availability: day.result.upMs + day.result.downMs > 0 ? day.result.availability : nil,
                        upSeconds: SLAResult.seconds(day.result.upMs), downSeconds: SLAResult.seconds(day.result.downMs),
                        unknownSeconds: SLAResult.seconds(day.result.unknownMs), maintenanceSeconds: SLAResult.seconds(day.result.maintenanceMs)
                    )
                }
            )
        })
    }

    /// `GET /v1/slos`: the availability SLA of every service with a target (from checks or the config),
    /// as `vigil slo export` turns into OpenSLO.
    func slos(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let names = reporter.serviceNames(checks: try await reporter.store.allChecks())
        return JSONBody.response(names.compactMap { service -> SLODefinitionInfo? in
            let policy = reporter.catalog.policy(for: service)
            guard let target = policy.target else { return nil }
            let window = switch policy.period {
            case .month: "month"
            case .quarter: "quarter"
            case .year: "year"
            case .rolling(let ms): DurationText.compact(milliseconds: ms)
            }
            var info = SLODefinitionInfo(
                service: service, targetPercent: Double(target.ppm) / 10_000, window: window, timeZone: policy.zone.identifier,
                calendar: policy.calendar.name, method: policy.method.name, unknown: policy.unknownPolicy.rawValue
            )
            if case .timeslices(let lengthMs, let badAbove) = policy.method {
                info.timesliceSeconds = Double(lengthMs) / 1000
                info.timesliceBadAbovePercent = Double(badAbove.ppm) / 10_000
            }
            return info
        })
    }

    /// `GET /v1/outages[?service=S][&open=true][&since=ISO or 7d]`: newest first; default since 30 days.
    func outages(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let query = request.uri.queryParameters
        let now = WallClock.nowMs()
        let since = try Self.since(query, nowMs: now)
        let openOnly = query.get("open").map { $0 == "true" || $0 == "1" } ?? false
        let window = SLAReporter.Request(window: .range(TimeRange(startMs: since, endMs: now)))
        var outages: [Outage] = []
        if let service = query.get("service") {
            guard let report = try await reporter.evaluate(service: service, window, nowMs: now) else {
                throw APIError.notFound("no service named \"\(service)\"")
            }
            outages = report.result.outages
        } else {
            outages = try await reporter.evaluateAll(window, nowMs: now).flatMap(\.result.outages)
        }
        if openOnly { outages = outages.filter(\.ongoing) }
        outages.sort { $0.range.startMs > $1.range.startMs }
        return JSONBody.response(outages.map(\.info))
    }

    /// The `since` parameter: an ISO 8601 time or a duration back from now; default 30 days ago.
    static func since(_ query: Parameters, nowMs: Int64) throws -> Int64 {
        guard let text = query.get("since") else { return nowMs - 30 * 86_400_000 }
        if let instant = ISOTime.parse(text) { return instant }
        if let span = try? DurationText.parseMilliseconds(text) { return nowMs - span }
        throw APIError.badRequest("since must be an ISO 8601 time or a duration such as 7d")
    }

    /// Reads the window, method and explain parameters.
    static func request(_ query: Parameters, nowMs: Int64) throws -> SLAReporter.Request {
        var result = SLAReporter.Request()
        var given: [String] = []
        do {
            if let month = query.get("month") { result.window = try SLAWindow.parseMonth(month); given.append("month") }
            if let quarter = query.get("quarter") { result.window = try SLAWindow.parseQuarter(quarter); given.append("quarter") }
            if let year = query.get("year") { result.window = try SLAWindow.parseYear(year); given.append("year") }
        } catch {
            throw APIError.badRequest(error.description)
        }
        if let window = query.get("window") ?? query.get("last") {
            guard let span = try? DurationText.parseMilliseconds(window), span > 0 else {
                throw APIError.badRequest("window must be a duration such as 30d")
            }
            result.window = .rolling(ms: span)
            given.append("window")
        }
        if query.get("from") != nil || query.get("to") != nil {
            let (from, to) = try ReadRoutes.window(query, nowMs: nowMs)
            result.window = .range(TimeRange(startMs: from, endMs: to))
            given.append("from/to")
        }
        guard given.count <= 1 else { throw APIError.badRequest("give one window: \(given.joined(separator: ", ")) conflict") }
        if let method = query.get("method") {
            switch method {
            case "time": result.method = .time
            case "occurrences": result.method = .occurrences
            case "timeslices": result.method = .timeslices(lengthMs: 60_000, badAbove: Percentage(ppm: 0))
            default: throw APIError.badRequest("method must be time, occurrences or timeslices")
            }
        }
        result.explain = query.get("explain").map { $0 == "true" || $0 == "1" } ?? false
        return result
    }
}
