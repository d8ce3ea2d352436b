import Logging
import PostgresNIO
import VigilCore

extension PostgresStore {
    public func upsertTickets(_ tickets: [Ticket], nowMs: Int64) async throws -> [Bool] {
        try await transaction("storing tickets") { connection, logger in
            var created: [Bool] = []
            created.reserveCapacity(tickets.count)
            for ticket in tickets {
                // `xmax = 0` only on a row this statement inserted.
                let rows = try await connection.query("""
                    INSERT INTO tickets (external_id, title, requester, organisation, priority, category, tags, created_ms, status, updated_ms)
                    VALUES (\(ticket.externalID), \(ticket.title), \(ticket.requester), \(ticket.organisation), \(ticket.priority.rawValue),
                        \(ticket.category), \(TicketCoding.encodeTags(ticket.tags)), \(ticket.createdMs), 'new', \(nowMs))
                    ON CONFLICT (external_id) DO UPDATE SET title = excluded.title, requester = excluded.requester,
                        organisation = excluded.organisation, priority = excluded.priority, category = excluded.category,
                        tags = excluded.tags, created_ms = excluded.created_ms, updated_ms = excluded.updated_ms
                    RETURNING id, (xmax = 0)
                    """, logger: logger).collect()
                let (id, inserted) = try rows[0].decode((Int64, Bool).self)
                try await Self.insertEvents(connection, ticketID: id, ticket.events, logger: logger)
                created.append(inserted)
            }
            return created
        }
    }

    public func addTicketEvents(externalID: String, _ events: [TicketEvent], nowMs: Int64) async throws -> Ticket {
        try await transaction("adding ticket events") { connection, logger in
            let ids = try await connection.query(
                "UPDATE tickets SET updated_ms = \(nowMs) WHERE external_id = \(externalID) RETURNING id", logger: logger
            ).collect()
            guard let row = ids.first else { throw StoreError(.notFound, "no ticket with id \"\(externalID)\"") }
            let id = try row.decode(Int64.self)
            try await Self.insertEvents(connection, ticketID: id, events, logger: logger)
            return try await Self.fetchTickets(connection, "WHERE id = \(id)", logger: logger)[0]
        }
    }

    public func ticket(externalID: String) async throws -> Ticket? {
        try await withConnection("reading a ticket") { connection, logger in
            try await Self.fetchTickets(connection, "WHERE external_id = \(externalID)", logger: logger).first
        }
    }

    public func tickets(created: TimeRange, openOnly: Bool) async throws -> [Ticket] {
        try await withConnection("reading tickets") { connection, logger in
            try await Self.fetchTickets(
                connection,
                """
                WHERE created_ms >= \(created.startMs) AND created_ms < \(created.endMs)
                    AND (NOT \(openOnly) OR status NOT IN ('solved', 'closed'))
                """,
                logger: logger
            )
        }
    }

    public func tickets(updatedSince sinceMs: Int64) async throws -> [Ticket] {
        try await withConnection("reading updated tickets") { connection, logger in
            try await Self.fetchTickets(connection, "WHERE updated_ms >= \(sinceMs)", logger: logger)
        }
    }

    /// Stores events once each and keeps the ticket's current status (its latest status event) in step.
    static func insertEvents(_ connection: PostgresConnection, ticketID: Int64, _ events: [TicketEvent], logger: Logger) async throws {
        guard !events.isEmpty else { return }
        let coded = events.map { TicketCoding.encode($0.kind) }
        try await connection.query("""
            INSERT INTO ticket_events (ticket_id, at_ms, kind, value)
            SELECT \(ticketID), * FROM UNNEST(\(events.map(\.atMs))::BIGINT[], \(coded.map(\.0))::TEXT[], \(coded.map(\.1))::TEXT[])
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            UPDATE tickets SET status = COALESCE((SELECT value FROM ticket_events WHERE ticket_id = \(ticketID) AND kind = 'status'
                ORDER BY at_ms DESC LIMIT 1), status) WHERE id = \(ticketID)
            """, logger: logger)
    }

    /// Tickets matching `filter` (a `WHERE` clause), by creation, with their events.
    static func fetchTickets(_ connection: PostgresConnection, _ filter: PostgresQuery, logger: Logger) async throws -> [Ticket] {
        var query: PostgresQuery = "SELECT id, external_id, title, requester, organisation, priority, category, tags, created_ms FROM tickets "
        query.sql += filter.sql + " ORDER BY created_ms, id"
        query.binds = filter.binds
        var tickets: [Ticket] = []
        var index: [Int64: Int] = [:]
        let rows = try await connection.query(query, logger: logger)
        for try await (id, external, title, requester, organisation, priority, category, tags, created) in rows.decode(
            (Int64, String, String, String, String, String, String, String, Int64).self
        ) {
            index[id] = tickets.count
            tickets.append(Ticket(
                externalID: external, title: title, requester: requester, organisation: organisation,
                priority: TicketPriority(rawValue: priority) ?? .normal, category: category, tags: TicketCoding.decodeTags(tags),
                createdMs: created
            ))
        }
        guard !tickets.isEmpty else { return [] }
        let events = try await connection.query("""
            SELECT ticket_id, at_ms, kind, value FROM ticket_events WHERE ticket_id = ANY(\(Array(index.keys)))
            ORDER BY ticket_id, at_ms, kind, value
            """, logger: logger)
        for try await (ticketID, at, kind, value) in events.decode((Int64, Int64, String, String).self) {
            guard let position = index[ticketID], let decoded = TicketCoding.decode(kind: kind, value: value) else { continue }
            tickets[position].events.append(TicketEvent(atMs: at, kind: decoded))
        }
        return tickets
    }
}
