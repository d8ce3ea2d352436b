import Foundation
import Hummingbird
import VigilCore
import VigilWire

/// Ticket intake and queries (DESIGN §6, §7). Every route needs an admin token (help desks send it as a
/// bearer token in their webhook settings).
struct TicketRoutes: Sendable {
    let store: any TicketStore & ReportStore
    let desk: TicketDesk
    let authenticator: Authenticator

    /// Rows per `POST /v1/tickets/import` request at most.
    static let maxImportRows = 5_000

    /// `POST /v1/tickets` and `POST /v1/webhooks/tickets`: a ``TicketInput``; 201 when new, 200 when
    /// updated, with the ticket and its clocks.
    func upsert(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        return try await store(try await JSONBody.decode(TicketInput.self, from: request))
    }

    /// `POST /v1/webhooks/zendesk`: Zendesk's `{"ticket": {...}}` (mapping in ``ZendeskPayload``).
    func zendesk(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        return try await store(try await JSONBody.decode(ZendeskPayload.self, from: request).input)
    }

    /// How far in the future a ticket's times may be (clock skew between help desk and collector).
    static let maxFutureMs: Int64 = 5 * 60_000

    /// A ticket from a request, refusing times more than ``maxFutureMs`` ahead of `nowMs`.
    static func ticket(_ input: TicketInput, nowMs: Int64) throws(TicketIntake.Problem) -> Ticket {
        let ticket = try TicketIntake.ticket(from: input)
        let latest = max(ticket.createdMs, ticket.events.last?.atMs ?? ticket.createdMs)
        guard latest <= nowMs + maxFutureMs else {
            throw TicketIntake.Problem(description: "\(ISOTime.format(ms: latest)) is in the future (more than 5 minutes ahead of the collector's clock)")
        }
        return ticket
    }

    func store(_ input: TicketInput) async throws -> Response {
        let now = WallClock.nowMs()
        let ticket: Ticket
        do { ticket = try Self.ticket(input, nowMs: now) } catch { throw APIError.badRequest(error.description) }
        let created = try await store.upsertTickets([ticket], nowMs: now)
        let info = try await desk.show(externalID: ticket.externalID, nowMs: now)
        return JSONBody.response(info, status: created.first == true ? .created : .ok)
    }

    /// `POST /v1/tickets/import`: `[TicketInput]` (at most 5 000); good rows are stored, bad ones listed.
    func importMany(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let inputs = try await JSONBody.decode([TicketInput].self, from: request, limit: 32 << 20)
        guard inputs.count <= Self.maxImportRows else {
            throw APIError.badRequest("at most \(Self.maxImportRows) tickets per request; got \(inputs.count)")
        }
        var tickets: [Ticket] = []
        var rejected: [TicketRejection] = []
        let now = WallClock.nowMs()
        for (index, input) in inputs.enumerated() {
            do { tickets.append(try Self.ticket(input, nowMs: now)) } catch {
                rejected.append(TicketRejection(index: index, reason: error.description))
            }
        }
        let created = try await store.upsertTickets(tickets, nowMs: now)
        let new = created.filter { $0 }.count
        return JSONBody.response(TicketImportResult(created: new, updated: created.count - new, rejected: rejected))
    }

    /// `POST /v1/tickets/{id}/events`: `{"events": [...]}` or one event.
    func events(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let id = try Self.parameter(context, "id")
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let data = Data(buffer.readableBytesView)
        let inputs: [TicketEventInput]
        if let many = try? JSONDecoder().decode(TicketEventsInput.self, from: data) {
            inputs = many.events
        } else {
            do { inputs = [try JSONDecoder().decode(TicketEventInput.self, from: data)] } catch {
                throw APIError.badRequest("invalid JSON body: expected {\"events\": [...]} or one event {\"at\", \"type\", ...}: \(error)")
            }
        }
        var events: [TicketEvent] = []
        for (index, input) in inputs.enumerated() {
            do { events.append(try TicketIntake.event(input, field: "events[\(index)]")) } catch { throw APIError.badRequest(error.description) }
        }
        let now = WallClock.nowMs()
        do {
            let ticket = try await store.addTicketEvents(externalID: id, events, nowMs: now)
            if let early = events.first(where: { $0.atMs < ticket.createdMs }) {
                context.logger.warning("ticket event before the ticket was created", metadata: ["ticket": "\(id)", "at": "\(early.atMs)"])
            }
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound(error.message)
        }
        return JSONBody.response(try await desk.show(externalID: id, nowMs: now))
    }

    /// `GET /v1/tickets?open=true&at_risk=true&breached=true&service=S&since=ISO|30d&limit=1000`: the most
    /// recently created that match, oldest first.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let query = request.uri.queryParameters
        let now = WallClock.nowMs()
        func flag(_ name: String) -> Bool { query.get(name).map { $0 == "true" || $0 == "1" } ?? false }
        let since = try SLARoutes.since(query, nowMs: now)
        var limit = 1_000
        if let text = query.get("limit") {
            guard let value = Int(text), (1...100_000).contains(value) else { throw APIError.badRequest("limit must be 1 to 100000") }
            limit = value
        }
        let filter = TicketDesk.Filter(
            openOnly: flag("open"), atRiskOnly: flag("at_risk"), breachedOnly: flag("breached"), service: query.get("service"),
            sinceMs: since, limit: limit
        )
        return JSONBody.response(try await desk.list(filter, nowMs: now))
    }

    /// `GET /v1/tickets/{id}`: the ticket, its clocks, history and outage.
    func show(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let id = try Self.parameter(context, "id")
        guard let info = try await desk.show(externalID: id, nowMs: WallClock.nowMs()) else {
            throw APIError.notFound("no ticket with id \"\(id)\"")
        }
        return JSONBody.response(info)
    }

    /// `GET /v1/outages/{id}`: the outage and the tickets linked to it.
    func outage(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let id = try Self.parameter(context, "id")
        guard let detail = try await desk.outageDetail(id: id, nowMs: WallClock.nowMs()) else {
            throw APIError.notFound("no outage with id \"\(id)\" (ids look like SERVICE:START_MS, see vigil outages)")
        }
        return JSONBody.response(detail)
    }

    /// `GET /v1/report/tickets?` window (same parameters as `/v1/report`; default the last 30 days).
    func report(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let now = WallClock.nowMs()
        let query = try SLARoutes.request(request.uri.queryParameters, nowMs: now)
        let zone = desk.catalog.defaults.zone
        let window = (query.window ?? .rolling(ms: 30 * 86_400_000)).resolve(zone: zone, nowMs: now)
        return JSONBody.response(try await desk.report(window: window, nowMs: now))
    }

    static func parameter(_ context: some RequestContext, _ name: String) throws -> String {
        try context.pathParameter(name)
    }
}
