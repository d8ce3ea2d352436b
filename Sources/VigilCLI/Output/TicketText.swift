import VigilCore
import VigilWire

/// Human forms of tickets.
enum TicketText {
    static func clockSummary(_ clock: TicketClockInfo) -> String {
        let name = clock.metric == "first_response" ? "response" : clock.metric == "next_reply" ? "next reply" : "resolution"
        var text = "\(name) \(clock.state)"
        if clock.atRisk { text += " AT RISK" }
        if clock.state == "running" || clock.state == "paused" {
            text += " (\(Format.duration(seconds: max(0, clock.remainingSeconds))) left)"
        }
        return text
    }

    static func table(_ tickets: [TicketInfo]) -> String {
        var table = Table("ID", "PRIORITY", "STATUS", "CREATED", "TAGS", "CLOCKS", "OUTAGE", "TITLE")
        for ticket in tickets {
            table.add(
                ticket.externalID, ticket.priority, ticket.status, ticket.createdAt, ticket.tags.joined(separator: ","),
                ticket.clocks.map(clockSummary).joined(separator: "; "), ticket.outage?.id ?? "-", String(ticket.title.prefix(40))
            )
        }
        return table.render()
    }

    static func detail(_ ticket: TicketInfo) -> String {
        var lines = [
            "ticket        \(ticket.externalID)  \(ticket.title)",
            "status        \(ticket.status) · \(ticket.priority) · \(ticket.category.isEmpty ? "no category" : ticket.category) · policy \(ticket.policy ?? "none")",
            "requester     \(ticket.requester)\(ticket.organisation.isEmpty ? "" : " (\(ticket.organisation))")",
            "tags          \(ticket.tags.joined(separator: ", "))",
            "created       \(ticket.createdAt)",
            "first reply   \(ticket.firstReplyAt ?? "none yet")",
            "satisfaction  \(ticket.satisfaction ?? "not rated")",
            "outage        \(ticket.outage.map { "\($0.id) (\($0.service), \($0.start) → \($0.end ?? "ongoing"))" } ?? "none linked")",
        ].map(Escaping.terminal)
        var clocks = Table("CLOCK", "STATE", "TARGET", "ELAPSED", "REMAINING", "DUE", "STOPPED", "CALENDAR")
        for clock in ticket.clocks {
            clocks.add(
                clock.metric, clock.state + (clock.atRisk ? " (at risk)" : ""), Format.duration(seconds: clock.targetSeconds),
                Format.duration(seconds: clock.elapsedSeconds),
                (clock.remainingSeconds < 0 ? "-" : "") + Format.duration(seconds: abs(clock.remainingSeconds)),
                clock.dueAt ?? "(paused)", clock.stoppedAt ?? "-", clock.calendar
            )
        }
        lines.append("")
        lines.append(clocks.render())
        let pauses = ticket.clocks.flatMap { clock in clock.pauses.map { (clock.metric, $0) } }
        if !pauses.isEmpty {
            var table = Table("PAUSED", "FROM", "TO")
            for (metric, pause) in pauses { table.add(metric, pause.from, pause.to) }
            lines.append("")
            lines.append(table.render())
        }
        if let events = ticket.events, !events.isEmpty {
            var table = Table("AT", "EVENT")
            for event in events {
                table.add(event.at, event.type + (event.status.map { " → \($0)" } ?? "") + (event.rating.map { ": \($0)" } ?? ""))
            }
            lines.append("")
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
