import Hummingbird
import VigilConfig
import VigilCore
import VigilWire

/// Maintenance windows: config ones are read-only; API ones can be added and removed.
struct MaintenanceRoutes: Sendable {
    let store: any MaintenanceStore
    let catalog: ServiceCatalog
    let authenticator: Authenticator

    /// `GET /v1/maintenance[?service=S]`.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireRead(request)
        let service = request.uri.queryParameters.get("service")
        var result = catalog.maintenance.map(Self.info)
        result += try await store.maintenanceWindows().map(\.window).map(Self.info).map { var api = $0; api.source = "api"; return api }
        if let service { result = result.filter { $0.service == service || $0.service == "*" } }
        return JSONBody.response(result)
    }

    /// `POST /v1/maintenance` with a ``MaintenanceCreate`` body → 201 with the stored window.
    func add(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let body = try await JSONBody.decode(MaintenanceCreate.self, from: request)
        let record = try Self.record(body, nowMs: WallClock.nowMs())
        let stored = try await store.addMaintenance(record)
        context.logger.notice("maintenance window added", metadata: ["id": "\(stored.id)", "service": "\(stored.service)"])
        var info = Self.info(stored.window)
        info.source = "api"
        return JSONBody.response(info, status: .created)
    }

    /// `DELETE /v1/maintenance/{id}` → 204.
    func remove(_ request: Request, context: some RequestContext) async throws -> Response {
        try await authenticator.requireAdmin(request)
        let text = try context.pathParameter("id")
        guard let id = Int64(text) else {
            throw APIError.badRequest("maintenance id \"\(text)\" is not removable: windows from the config file change with the config")
        }
        do {
            try await store.removeMaintenance(id: id)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound(error.message)
        }
        return Response(status: .noContent)
    }

    /// Checks a request and turns it into a record.
    static func record(_ body: MaintenanceCreate, nowMs: Int64) throws -> MaintenanceRecord {
        let service = body.service.trimmingCharacters(in: .whitespaces)
        guard service == "*" || AdminRoutes.isValidName(service) else {
            throw APIError.badRequest("service must be a service name or * for all services")
        }
        let reason = body.reason ?? ""
        if let weekly = body.weekly {
            guard body.start == nil && body.end == nil && body.duration == nil else {
                throw APIError.badRequest("give either weekly or start with end/duration, not both")
            }
            let hours: WeeklyHours
            do { hours = try WeeklyHours(parsing: weekly) } catch { throw APIError.badRequest(error.description) }
            let zone = body.timeZone ?? "UTC"
            guard SystemZone.named(zone) != nil else { throw APIError.badRequest("unknown time zone \"\(zone)\"") }
            return MaintenanceRecord(
                service: service,
                weekly: .init(days: hours.days, fromMinute: hours.fromMinute, toMinute: hours.toMinute, timeZone: zone),
                reason: reason, createdMs: nowMs
            )
        }
        guard let startText = body.start, let start = ISOTime.parse(startText) else {
            throw APIError.badRequest("start must be an ISO 8601 time such as 2026-11-01T02:00:00Z (or give weekly)")
        }
        let end: Int64
        switch (body.end, body.duration) {
        case (let text?, nil):
            guard let parsed = ISOTime.parse(text) else { throw APIError.badRequest("end must be an ISO 8601 time") }
            end = parsed
        case (nil, let text?):
            guard let span = try? DurationText.parseMilliseconds(text) else { throw APIError.badRequest("duration must be like 2h") }
            end = start + span
        default:
            throw APIError.badRequest("give end or duration (one of them)")
        }
        guard end > start else { throw APIError.badRequest("the window must end after it starts") }
        return MaintenanceRecord(service: service, once: TimeRange(startMs: start, endMs: end), reason: reason, createdMs: nowMs)
    }

    static func info(_ window: MaintenanceWindow) -> MaintenanceInfo {
        switch window.schedule {
        case .once(let range):
            return MaintenanceInfo(
                id: window.id, service: window.service, kind: "once", start: ISOTime.format(ms: range.startMs),
                end: ISOTime.format(ms: range.endMs), reason: window.reason, source: "config"
            )
        case .weekly(let schedule):
            return MaintenanceInfo(
                id: window.id, service: window.service, kind: "weekly",
                weekly: schedule.hours.map(\.description).joined(separator: "; "), timeZone: schedule.zone.identifier,
                reason: window.reason, source: "config"
            )
        }
    }
}
