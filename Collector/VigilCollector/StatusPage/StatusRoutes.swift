import Hummingbird
import NIOCore
import VigilCore

/// The public face: `/status` (HTML) and `/badge/{service}/status.svg`, `/badge/{service}/uptime.svg`.
/// Each needs a read token unless the config makes it public (`public: {status_page: true, badges: true}`).
struct StatusRoutes: Sendable {
    let reporter: SLAReporter
    let outages: any OutageStore
    let authenticator: Authenticator
    let access: PublicAccess
    /// Each service's current SLA period, shared with `/metrics`.
    let currentPeriods: TimedCache<[SLAReporter.ServiceReport]>
    let page = TimedCache<String>(maxAgeMs: 30_000)

    /// What the current periods shared by `/status` and `/metrics` are evaluated with: each SLA's period,
    /// probe rollups only where the SLA counts probes (neither shows latency).
    static let currentPeriodsRequest = SLAReporter.Request(probes: .methodOnly)

    /// `GET /status`: rendered at most every 30 s.
    func status(_ request: Request, context: some RequestContext) async throws -> Response {
        if !access.statusPage { try await authenticator.requireRead(request) }
        let now = WallClock.nowMs()
        let html = try await page.value(nowMs: now) {
            let current = try await currentPeriods.value(nowMs: now) { try await reporter.evaluateAll(Self.currentPeriodsRequest, nowMs: now) }
            return StatusPageHTML.render(try await StatusPageModel.build(reporter: reporter, outages: outages, current: current, nowMs: now))
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    /// `GET /badge/{service}/status.svg`: the service's confirmed state now.
    func statusBadge(_ request: Request, context: some RequestContext) async throws -> Response {
        if !access.badges { try await authenticator.requireRead(request) }
        let service = try context.pathParameter("service")
        let query = SLAReporter.Request(window: .rolling(ms: 3_600_000), probes: .methodOnly)
        guard let report = try await reporter.evaluate(service: service, query, nowMs: WallClock.nowMs()) else {
            throw APIError.notFound("no service named \"\(service)\"")
        }
        let badge = switch report.result.stateAtEnd {
        case .up: Badge(label: service, message: "up", color: Badge.green)
        case .degraded: Badge(label: service, message: "degraded", color: Badge.yellow)
        case .down: Badge(label: service, message: "down", color: Badge.red)
        case .unknown: Badge(label: service, message: "unknown", color: Badge.grey)
        }
        return Self.svg(badge)
    }

    /// `GET /badge/{service}/uptime.svg?window=30d`: time up over known time in a rolling window
    /// (default 30 days, at most 400).
    func uptimeBadge(_ request: Request, context: some RequestContext) async throws -> Response {
        if !access.badges { try await authenticator.requireRead(request) }
        let service = try context.pathParameter("service")
        let windowText = request.uri.queryParameters.get("window") ?? "30d"
        guard let span = try? DurationText.parseMilliseconds(windowText), span >= 60_000, span <= 400 * 86_400_000 else {
            throw APIError.badRequest("window must be a duration from 1m to 400d, such as 30d")
        }
        let query = SLAReporter.Request(window: .rolling(ms: span), method: .time, probes: .methodOnly)
        guard let report = try await reporter.evaluate(service: service, query, nowMs: WallClock.nowMs()) else {
            throw APIError.notFound("no service named \"\(service)\"")
        }
        let label = "uptime \(windowText)"
        guard let availability = report.result.availability else { return Self.svg(Badge(label: label, message: "no data", color: Badge.grey)) }
        let goal = report.result.target.map { Double($0.ppm) / 1_000_000 } ?? 0.999
        let message = String(HTMLText.percent(availability, digits: 2).filter { $0 != " " })
        return Self.svg(Badge(label: label, message: message, color: Badge.color(availability: availability, goal: goal)))
    }

    static func svg(_ badge: Badge) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "image/svg+xml; charset=utf-8", .cacheControl: "max-age=60"],
            body: .init(byteBuffer: ByteBuffer(string: badge.svg))
        )
    }
}
