import Hummingbird
import VigilCore
import VigilWire

/// SLA figures, reports and outages (DESIGN §5). Every route needs an admin token.
struct SLARoutes: Sendable {
    let reporter: SLAReporter
    let outageStore: any OutageStore
    let authenticator: Authenticator

    /// `GET /v1/services/{service}/sla?month=2026-10|quarter=2026-Q4|year=2026|window=30d|from=&to=`
    /// `[&method=time|occurrences|timeslices][&timeslice=5m][&bad_above=10][&unknown=exclude|up|down][&explain=true]`;
    /// without a window, the SLA's current period.
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
        let page = try Page(request.uri.queryParameters)
        let (names, next) = page.slice(try await reporter.allServiceNames())
        let results = try await reporter.evaluateAll(query, nowMs: now, only: Set(names))
        var response = JSONBody.response(results.map(\.info))
        page.addNextLink(next, path: "/v1/report", query: request.uri.queryParameters, to: &response)
        return response
    }

    /// `GET /v1/report/daily?month=2026-10[&resolution=1d|auto|1m|5m|15m|1h]` (same window parameters):
    /// each service's days, counted by time, for charts; with `resolution`, bars of that length instead
    /// (`auto`: minutes for up to 2 h, 5 minutes up to 12 h, hours up to 3 days, days beyond), at most
    /// ``maxBars`` a service.
    func daily(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let now = WallClock.nowMs()
        let query = try Self.request(request.uri.queryParameters, nowMs: now)
        let resolution = try Self.barResolution(request.uri.queryParameters.get("resolution"))
        let page = try Page(request.uri.queryParameters)
        let (names, next) = page.slice(try await reporter.allServiceNames())
        if case .fixed(let length) = resolution {
            for name in names {
                let policy = reporter.catalog.policy(for: name)
                let span = (query.window ?? SLAWindow.current(policy.period, zone: policy.zone, nowMs: now)).resolve(zone: policy.zone, nowMs: now)
                let bars = (span.durationMs + length - 1) / length
                guard bars <= Self.maxBars else {
                    throw APIError.badRequest("resolution \(DurationText.compact(milliseconds: length)) over this window makes \(bars) bars a service; at most \(Self.maxBars): choose a longer resolution or auto")
                }
            }
        }
        let services = try await reporter.evaluateAll(SLAReporter.Request(window: query.window, probes: .methodOnly), nowMs: now, only: Set(names)).map(\.result)
        let bars = try await reporter.bars(services: services.map(\.service), window: query.window, resolution: resolution, nowMs: now)
        var response = JSONBody.response(services.map { result in
            let (chosen, days) = bars[result.service] ?? (resolution, [])
            let length = chosen.lengthMs ?? 86_400_000
            return ServiceDaysInfo(
                service: result.service, targetPercent: result.target.map { Double($0.ppm) / 10_000 },
                resolutionSeconds: Double(length) / 1_000,
                days: days.map { day in
                    DayInfo(
                        date: day.date.description, start: ISOTime.format(ms: day.range.startMs), end: ISOTime.format(ms: day.range.endMs),
                        label: length >= 86_400_000 ? day.date.description : Self.barLabel(day),
                        availability: day.result.upMs + day.result.downMs > 0 ? day.result.availability : nil,
                        upSeconds: SLAResult.seconds(day.result.upMs), downSeconds: SLAResult.seconds(day.result.downMs),
                        unknownSeconds: SLAResult.seconds(day.result.unknownMs), maintenanceSeconds: SLAResult.seconds(day.result.maintenanceMs)
                    )
                }
            )
        })
        page.addNextLink(next, path: "/v1/report/daily", query: request.uri.queryParameters, to: &response)
        return response
    }

    /// Bars a service may have in one `/v1/report/daily` answer (a day of minutes is 1,440).
    static let maxBars: Int64 = 1_500

    /// `resolution`: absent or `1d` for calendar days, `auto`, or a whole number of minutes from 1m to
    /// 12h that divides a day.
    static func barResolution(_ text: String?) throws -> SLAReporter.BarResolution {
        guard let text, text != "1d" else { return .day }
        if text == "auto" { return .auto }
        let ms: Int64
        do {
            ms = try DurationText.parseMilliseconds(text)
        } catch {
            throw APIError.badRequest("resolution: \(error.description)")
        }
        guard ms >= 60_000, ms <= 43_200_000, ms % 60_000 == 0, 86_400_000 % ms == 0 else {
            throw APIError.badRequest("resolution must be 1d, auto, or a whole number of minutes from 1m to 12h that divides a day (1m, 5m, 15m, 1h), not \(text)")
        }
        return .fixed(ms: ms)
    }

    /// `2026-11-21 14:05`: a bar's local start in its SLA's zone.
    static func barLabel(_ day: SLAReporter.Day) -> String {
        let secondOfDay = day.localStartSeconds - day.date.daysSinceEpoch * 86_400
        let hours = secondOfDay / 3_600, minutes = secondOfDay % 3_600 / 60
        return "\(day.date) \(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
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

    /// `GET /v1/outages[?service=S][&open=true][&since=ISO or 7d][&limit=N&cursor=C]`: the stored outages
    /// overlapping the window, newest first, a page at a time; default since 30 days. An ongoing one
    /// ends at "now"; eligible downtime and maintenance are as of the request.
    func outages(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let query = request.uri.queryParameters
        let now = WallClock.nowMs()
        let since = try Self.since(query, nowMs: now)
        let openOnly = query.get("open").map { $0 == "true" || $0 == "1" } ?? false
        let service = query.get("service")
        if let service, try await reporter.store.checks(service: service).isEmpty, reporter.catalog.services[service] == nil {
            throw APIError.notFound("no service named \"\(service)\"")
        }
        var outages = try await OutageReads.read(
            outageStore, services: service.map { [$0] }, evaluated: TimeRange(startMs: since, endMs: max(since, now)), nowMs: now,
            catalog: reporter.catalog, maintenance: try await reporter.maintenance()
        )
        if openOnly { outages = outages.filter(\.ongoing) }
        // Newest first, a page at a time (``Page``): the key sorts newest first, ties by id.
        let page = try Page(query)
        let keyed = outages.map { (Self.newestFirstKey($0.range.startMs, $0.id), $0) }.sorted { $0.0 < $1.0 }
        let (keys, next) = page.slice(keyed.map(\.0))
        var response = JSONBody.response(keyed[keys.startIndex..<keys.endIndex].map(\.1.info))
        page.addNextLink(next, path: "/v1/outages", query: query, to: &response)
        return response
    }

    /// A page key that sorts newer instants first (then by `id`): the distance to the last instant,
    /// as 16 hex digits.
    static func newestFirstKey(_ ms: Int64, _ id: String) -> String {
        let distance = UInt64(bitPattern: Int64.max &- ms)
        let hex = String(distance, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex + " " + id
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
        let slice = query.get("timeslice")
        let badAbove = query.get("bad_above")
        if slice != nil || badAbove != nil {
            var slicing = Timeslicing()
            if let slice {
                guard let ms = try? DurationText.parseMilliseconds(slice), ms >= 1_000, ms <= 86_400_000 else {
                    throw APIError.badRequest("timeslice must be a duration from 1s to 1d, such as 1m or 5m")
                }
                slicing.lengthMs = ms
            }
            if let badAbove {
                guard let share = Percentage(badAbove) else { throw APIError.badRequest("bad_above must be a percentage from 0 to 100, such as 10") }
                slicing.badAbove = share
            }
            result.timeslicing = slicing
        }
        if let unknown = query.get("unknown") {
            guard let policy = UnknownPolicy(rawValue: unknown) else { throw APIError.badRequest("unknown must be exclude, up or down") }
            result.unknownPolicy = policy
        }
        result.explain = query.get("explain").map { $0 == "true" || $0 == "1" } ?? false
        return result
    }
}
