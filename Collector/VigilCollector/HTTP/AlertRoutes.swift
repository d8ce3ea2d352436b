import Foundation
import Hummingbird
import VigilCore
import VigilWire

/// Alert history and hook tests.
struct AlertRoutes: Sendable {
    let store: any AlertStore
    let settings: AlertSettings
    let authenticator: Authenticator

    /// `GET /v1/alerts?since=ISO|7d&open=true[&limit=N&cursor=C]`: newest first, with delivery states, a
    /// page at a time. `open` keeps outages opened and not yet resolved (a page may then hold fewer).
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let query = request.uri.queryParameters
        let now = WallClock.nowMs()
        let since = try SLARoutes.since(query, nowMs: now)
        // A page at a time (``Page``); the cursor is the last alert's place in the newest-first order.
        let page = try Page(query)
        var before: AlertPosition?
        if let after = page.after {
            let parts = after.split(separator: ":")
            guard parts.count == 2, let createdMs = Int64(parts[0]), let id = Int64(parts[1]) else {
                throw APIError.badRequest("cursor is not one this collector gave")
            }
            before = AlertPosition(createdMs: createdMs, id: id)
        }
        var records = try await store.alerts(sinceMs: since, limit: page.limit + 1, before: before)
        let more = records.count > page.limit
        if more { records.removeLast() }
        let next = more ? records.last.map { Page.encode("\($0.createdMs):\($0.id)") } : nil
        if query.get("open").map({ $0 == "true" || $0 == "1" }) ?? false {
            var open: [AlertRecord] = []
            for record in records where record.alert.type == "outage.opened" {
                let resolvedKey = record.alert.dedupeKey.replacingOccurrences(of: ":opened", with: ":resolved")
                if try await !store.hasAlert(dedupeKey: resolvedKey) { open.append(record) }
            }
            records = open
        }
        var response = JSONBody.response(records.map(Self.info))
        page.addNextLink(next, path: "/v1/alerts", query: query, to: &response)
        return response
    }

    static func info(_ record: AlertRecord) -> AlertInfo {
        let summary = (try? JSONSerialization.jsonObject(with: Data(record.alert.body.utf8)) as? [String: Any])?["summary"] as? String ?? ""
        return AlertInfo(
            id: record.id, type: record.alert.type, severity: record.alert.severity, service: record.alert.service,
            occurredAt: ISOTime.format(ms: record.alert.occurredMs), createdAt: ISOTime.format(ms: record.createdMs),
            dedupeKey: record.alert.dedupeKey, summary: summary, silencedBy: record.alert.silencedBy,
            deliveries: record.deliveries.map {
                DeliveryInfo(
                    hook: $0.hook, deliveryID: $0.deliveryID, state: $0.state.rawValue, attempts: $0.attempts, lastError: $0.lastError,
                    finishedAt: $0.finishedMs.map { ISOTime.format(ms: $0) }
                )
            }
        )
    }

    /// `GET /v1/silences`: silences not yet ended.
    func silences(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        return JSONBody.response(try await store.silences(activeAfter: WallClock.nowMs()).map(Self.info))
    }

    /// `POST /v1/silences` → 201 with the silence.
    func addSilence(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let body = try await JSONBody.decode(SilenceInfo.self, from: request)
        let now = WallClock.nowMs()
        var start = now
        if let text = body.start {
            guard let parsed = ISOTime.parse(text) else { throw APIError.badRequest("start must be an ISO 8601 time") }
            start = parsed
        }
        let end: Int64
        switch (body.end, body.duration) {
        case (let text?, nil):
            guard let parsed = ISOTime.parse(text) else { throw APIError.badRequest("end must be an ISO 8601 time") }
            end = parsed
        case (nil, let text?):
            guard let span = try? DurationText.parseMilliseconds(text), span > 0 else { throw APIError.badRequest("duration must be like 2h") }
            end = start + span
        default:
            throw APIError.badRequest("give end or duration (one of them)")
        }
        guard end > start, end > now else { throw APIError.badRequest("the silence must end after it starts, in the future") }
        if let severity = body.severity, AlertSeverity(rawValue: severity) == nil {
            throw APIError.badRequest("severity must be page, ticket or info")
        }
        guard body.service != nil || body.type != nil || body.severity != nil else {
            throw APIError.badRequest("give at least one matcher: service, type or severity")
        }
        let silence = try await store.addSilence(Silence(
            service: body.service, type: body.type, severity: body.severity, range: TimeRange(startMs: start, endMs: end),
            reason: body.reason ?? "", createdMs: now
        ))
        return JSONBody.response(Self.info(silence), status: .created)
    }

    /// `DELETE /v1/silences/{id}` → 204.
    func removeSilence(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        guard let id = Int64(try context.pathParameter("id")) else { throw APIError.badRequest("silence ids are numbers") }
        do {
            try await store.removeSilence(id: id)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound(error.message)
        }
        return Response(status: .noContent)
    }

    static func info(_ silence: Silence) -> SilenceInfo {
        SilenceInfo(
            id: String(silence.id), service: silence.service, type: silence.type, severity: silence.severity,
            start: ISOTime.format(ms: silence.range.startMs), end: ISOTime.format(ms: silence.range.endMs), reason: silence.reason
        )
    }

    /// `POST /v1/hooks/{name}/test`: sends a `test` event to the hook now (outside the outbox) and answers
    /// what the receiver said.
    func test(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let name = try context.pathParameter("name")
        guard let hook = settings.hooks.first(where: { $0.name == name }) else {
            throw APIError.notFound("no hook named \"\(name)\" (hooks: \(settings.hooks.map(\.name).joined(separator: ", ")))")
        }
        let now = WallClock.nowMs()
        let event = AlertEvent(
            type: "test", severity: .info, service: nil, dedupeKey: "test:\(now)", occurredMs: now,
            summary: "Test event from vigil-collector: this hook works"
        )
        let stored = AlertBody.stored(event)
        let delivery = PendingDelivery(alertID: 0, hook: hook.name, deliveryID: "test-\(now)", attempts: 0, alertCreatedMs: now, body: stored.body)
        let clock = ContinuousClock()
        let start = clock.now
        let dispatcher = AlertDispatcher(store: store, settings: settings, logger: context.logger)
        let (delivered, answer) = await dispatcher.send(delivery, to: hook)
        let elapsed = clock.now - start
        return JSONBody.response(HookTestResult(
            hook: hook.name, delivered: delivered, answer: answer,
            milliseconds: Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        ))
    }
}
