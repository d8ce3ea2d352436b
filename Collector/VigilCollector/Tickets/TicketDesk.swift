import VigilCore
import VigilWire

/// Tickets as operators see them: clocks under the matching policy, the outage each belongs to, outage
/// details and the ticket report (DESIGN §6, §7).
public struct TicketDesk: Sendable {
    let store: any TicketStore & ReportStore & OutageStore
    let catalog: ServiceCatalog

    public init(store: any TicketStore & ReportStore & OutageStore, catalog: ServiceCatalog) {
        self.store = store
        self.catalog = catalog
    }

    var settings: TicketSettings { catalog.tickets }

    /// Outages that tickets created in `created` can belong to; with `tags`, only those of the services
    /// the tags name (directly or through an alias).
    func outages(for created: TimeRange, tags: Set<String>? = nil, nowMs: Int64) async throws -> [Outage] {
        let window = TimeRange(
            startMs: created.startMs - settings.correlationAfterMs - 86_400_000,
            endMs: min(nowMs, created.endMs + settings.correlationBeforeMs)
        )
        guard !window.isEmpty else { return [] }
        let services = tags.map { tags in
            tags.union(catalog.aliases.filter { !tags.isDisjoint(with: $0.value) }.keys)
        }
        return try await OutageReads.read(
            store, services: services, evaluated: window, nowMs: nowMs, catalog: catalog,
            maintenance: try await SLAReporter(store: store, catalog: catalog).maintenance()
        )
    }

    /// The outage `ticket` belongs to, among `outages`.
    func outage(of ticket: Ticket, among outages: [Outage], nowMs: Int64) -> Outage? {
        TicketCorrelation.outage(for: ticket, among: outages, aliases: catalog.aliases, settings: settings, nowMs: nowMs)
    }

    func clocks(_ ticket: Ticket, nowMs: Int64) -> (policy: String?, clocks: [TicketClock]) {
        guard let policy = settings.policy(for: ticket) else { return (nil, []) }
        return (policy.name, TicketClock.clocks(for: ticket, policy: policy, settings: settings, nowMs: nowMs))
    }

    /// The API form, with clocks and the linked outage.
    func info(_ ticket: Ticket, outages: [Outage], nowMs: Int64, withEvents: Bool) -> TicketInfo {
        let (policy, clocks) = clocks(ticket, nowMs: nowMs)
        let outage = outage(of: ticket, among: outages, nowMs: nowMs)
        let rating = ticket.satisfaction
        return TicketInfo(
            externalID: ticket.externalID, title: ticket.title, requester: ticket.requester, organisation: ticket.organisation,
            priority: ticket.priority.rawValue, category: ticket.category, tags: ticket.tags,
            createdAt: ISOTime.format(ms: ticket.createdMs), status: ticket.status.rawValue,
            firstReplyAt: ticket.firstReplyMs.map { ISOTime.format(ms: $0) }, satisfaction: rating.map { $0.good ? "good" : "bad" },
            policy: policy, clocks: clocks.map(Self.info), outage: outage.map(Self.reference),
            events: withEvents ? TicketIntake.eventInputs(ticket) : nil
        )
    }

    static func info(_ clock: TicketClock) -> TicketClockInfo {
        TicketClockInfo(
            metric: clock.metric.rawValue, state: clock.state.rawValue, startedAt: ISOTime.format(ms: clock.startedMs),
            stoppedAt: clock.stoppedMs.map { ISOTime.format(ms: $0) }, targetSeconds: Double(clock.targetMs) / 1_000,
            elapsedSeconds: Double(clock.elapsedMs) / 1_000, remainingSeconds: Double(clock.remainingMs) / 1_000,
            dueAt: clock.dueMs.map { ISOTime.format(ms: $0) }, atRisk: clock.atRisk, calendar: clock.calendar,
            pauses: clock.pauses.map { PeriodInfo(from: ISOTime.format(ms: $0.startMs), to: ISOTime.format(ms: $0.endMs)) }
        )
    }

    static func reference(_ outage: Outage) -> OutageRef {
        OutageRef(id: outage.id, service: outage.service, start: ISOTime.format(ms: outage.range.startMs), end: outage.ongoing ? nil : ISOTime.format(ms: outage.range.endMs))
    }

    /// Which tickets to list.
    public struct Filter: Sendable {
        public var openOnly = false
        public var atRiskOnly = false
        public var breachedOnly = false
        public var service: String?
        /// Created since (ignored for open tickets, which are listed whatever their age).
        public var sinceMs: Int64
        /// At most this many, the most recently created. Default 1 000.
        public var limit = 1_000

        public init(
            openOnly: Bool = false, atRiskOnly: Bool = false, breachedOnly: Bool = false, service: String? = nil, sinceMs: Int64,
            limit: Int = 1_000
        ) {
            self.limit = limit
            self.openOnly = openOnly
            self.atRiskOnly = atRiskOnly
            self.breachedOnly = breachedOnly
            self.service = service
            self.sinceMs = sinceMs
        }
    }

    public func list(_ filter: Filter, nowMs: Int64) async throws -> [TicketInfo] {
        let from = filter.openOnly ? Int64.min / 2 : filter.sinceMs
        var tickets = try await store.tickets(created: TimeRange(startMs: from, endMs: Int64.max / 2), openOnly: filter.openOnly)
        if let service = filter.service {
            let names = Set([service] + (catalog.aliases[service] ?? []))
            tickets = tickets.filter { !names.isDisjoint(with: $0.tags) }
        }
        guard let first = tickets.first else { return [] }
        let outages = try await outages(for: TimeRange(startMs: first.createdMs, endMs: nowMs), tags: Set(tickets.flatMap(\.tags)), nowMs: nowMs)
        let matching = tickets.map { info($0, outages: outages, nowMs: nowMs, withEvents: false) }.filter { ticket in
            (!filter.atRiskOnly || ticket.clocks.contains(where: \.atRisk))
                && (!filter.breachedOnly || ticket.clocks.contains { $0.state == TicketClock.State.breached.rawValue })
        }
        return Array(matching.suffix(filter.limit))
    }

    public func show(externalID: String, nowMs: Int64) async throws -> TicketInfo? {
        guard let ticket = try await store.ticket(externalID: externalID) else { return nil }
        let outages = try await outages(for: TimeRange(startMs: ticket.createdMs, endMs: ticket.createdMs + 1), tags: Set(ticket.tags), nowMs: nowMs)
        return info(ticket, outages: outages, nowMs: nowMs, withEvents: true)
    }

    /// An outage by id (`service:start_ms`) with the tickets linked to it.
    public func outageDetail(id: String, nowMs: Int64) async throws -> OutageDetailInfo? {
        guard let colon = id.lastIndex(of: ":"), let start = Int64(id[id.index(after: colon)...]) else { return nil }
        let service = String(id[..<colon])
        let window = TimeRange(startMs: start, endMs: nowMs)
        guard let outage = try await OutageReads.read(
            store, services: [service], evaluated: window, nowMs: nowMs, catalog: catalog,
            maintenance: try await SLAReporter(store: store, catalog: catalog).maintenance()
        ).first(where: { $0.id == id })
        else { return nil }
        let end = outage.ongoing ? nowMs : outage.range.endMs
        let candidates = try await store.tickets(
            created: TimeRange(startMs: outage.range.startMs - settings.correlationBeforeMs, endMs: end + settings.correlationAfterMs + 1),
            openOnly: false
        )
        let outages = try await self.outages(
            for: TimeRange(startMs: outage.range.startMs - settings.correlationBeforeMs, endMs: end + settings.correlationAfterMs + 1),
            tags: Set(candidates.flatMap(\.tags)), nowMs: nowMs
        )
        let linked = candidates.filter { self.outage(of: $0, among: outages, nowMs: nowMs)?.id == id }
        return OutageDetailInfo(
            outage: outage.info, tickets: linked.map { info($0, outages: outages, nowMs: nowMs, withEvents: false) },
            openTickets: linked.filter { !$0.status.isDone }.count,
            organisations: Array(Set(linked.map(\.organisation).filter { !$0.isEmpty })).sorted()
        )
    }
}
