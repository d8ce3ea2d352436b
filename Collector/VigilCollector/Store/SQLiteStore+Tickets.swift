import GRDB
import VigilCore

extension SQLiteStore {
    public func upsertTickets(_ tickets: [Ticket], nowMs: Int64) async throws -> [Bool] {
        try await writing { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO tickets (external_id, title, requester, organisation, priority, category, tags, created_ms, status, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)
                ON CONFLICT (external_id) DO UPDATE SET title = excluded.title, requester = excluded.requester,
                    organisation = excluded.organisation, priority = excluded.priority, category = excluded.category,
                    tags = excluded.tags, created_ms = excluded.created_ms, updated_ms = excluded.updated_ms
                """)
            var created: [Bool] = []
            created.reserveCapacity(tickets.count)
            for ticket in tickets {
                let existing = try Int64.fetchOne(db, sql: "SELECT id FROM tickets WHERE external_id = ?", arguments: [ticket.externalID])
                try upsert.execute(arguments: [
                    ticket.externalID, ticket.title, ticket.requester, ticket.organisation, ticket.priority.rawValue,
                    ticket.category, TicketCoding.encodeTags(ticket.tags), ticket.createdMs, nowMs,
                ])
                let id = existing ?? db.lastInsertedRowID
                try Self.insertEvents(db, ticketID: id, ticket.events)
                created.append(existing == nil)
            }
            return created
        }
    }

    public func addTicketEvents(externalID: String, _ events: [TicketEvent], nowMs: Int64) async throws -> Ticket {
        try await writing { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM tickets WHERE external_id = ?", arguments: [externalID]) else {
                throw StoreError(.notFound, "no ticket with id \"\(externalID)\"")
            }
            try Self.insertEvents(db, ticketID: id, events)
            try db.execute(sql: "UPDATE tickets SET updated_ms = ? WHERE id = ?", arguments: [nowMs, id])
            return try Self.fetchTickets(db, filter: "WHERE tickets.id = ?", arguments: [id])[0]
        }
    }

    public func ticket(externalID: String) async throws -> Ticket? {
        try await reading { db in
            try Self.fetchTickets(db, filter: "WHERE external_id = ?", arguments: [externalID]).first
        }
    }

    public func tickets(created: TimeRange, openOnly: Bool) async throws -> [Ticket] {
        try await reading { db in
            try Self.fetchTickets(
                db,
                filter: "WHERE created_ms >= ? AND created_ms < ?" + (openOnly ? " AND status NOT IN ('solved', 'closed')" : ""),
                arguments: [created.startMs, created.endMs]
            )
        }
    }

    public func tickets(updatedSince sinceMs: Int64) async throws -> [Ticket] {
        try await reading { db in
            try Self.fetchTickets(db, filter: "WHERE updated_ms >= ?", arguments: [sinceMs])
        }
    }

    /// Stores events once each and keeps the ticket's current status (its latest status event) in step.
    static func insertEvents(_ db: Database, ticketID: Int64, _ events: [TicketEvent]) throws {
        guard !events.isEmpty else { return }
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO ticket_events (ticket_id, at_ms, kind, value) VALUES (?, ?, ?, ?)")
        for event in events {
            let (kind, value) = TicketCoding.encode(event.kind)
            try insert.execute(arguments: [ticketID, event.atMs, kind, value])
        }
        try db.execute(
            sql: """
                UPDATE tickets SET status = COALESCE((SELECT value FROM ticket_events WHERE ticket_id = ? AND kind = 'status'
                    ORDER BY at_ms DESC LIMIT 1), status) WHERE id = ?
                """,
            arguments: [ticketID, ticketID]
        )
    }

    static func fetchTickets(_ db: Database, filter: String, arguments: StatementArguments) throws -> [Ticket] {
        var tickets: [Ticket] = []
        var index: [Int64: Int] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, external_id, title, requester, organisation, priority, category, tags, created_ms FROM tickets
                \(filter) ORDER BY created_ms, id
                """,
            arguments: arguments
        )
        while let row = try rows.next() {
            index[row[0]] = tickets.count
            tickets.append(Ticket(
                externalID: row[1], title: row[2], requester: row[3], organisation: row[4],
                priority: TicketPriority(rawValue: row[5]) ?? .normal, category: row[6], tags: TicketCoding.decodeTags(row[7]),
                createdMs: row[8]
            ))
        }
        guard !tickets.isEmpty else { return [] }
        var events: [Int: [TicketEvent]] = [:]
        let ids = index.keys.sorted()
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = Array(ids[chunk..<min(ids.count, chunk + 500)])
            let marks = part.map { _ in "?" }.joined(separator: ",")
            let eventRows = try Row.fetchCursor(
                db,
                sql: "SELECT ticket_id, at_ms, kind, value FROM ticket_events WHERE ticket_id IN (\(marks)) ORDER BY ticket_id, at_ms",
                arguments: StatementArguments(part)
            )
            while let row = try eventRows.next() {
                guard let position = index[row[0]], let kind = TicketCoding.decode(kind: row[2], value: row[3]) else { continue }
                events[position, default: []].append(TicketEvent(atMs: row[1], kind: kind))
            }
        }
        for (position, list) in events { tickets[position].events = list }
        return tickets
    }
}
