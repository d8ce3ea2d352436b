import VigilCore
import Foundation
import VigilWire

/// The ticket half of `vigil report`.
enum TicketReportText {
    static func achievement(_ a: AchievementInfo) -> String {
        "\(Format.percent(a.achievement, digits: 1)) (\(a.met) met, \(a.breached) breached, \(a.running) running)"
    }

    static func satisfaction(_ s: SatisfactionInfo) -> String {
        let verdict = s.met.map { $0 ? "met" : "MISSED" } ?? "no ratings"
        return "\(Format.percent(s.share, digits: 1)) good of \(s.rated) rated; target \(Format.fixed(s.targetPercent, digits: 0))% — \(verdict)"
    }

    static func rows(_ r: TicketReportInfo) -> (priorities: [[String]], breaches: [[String]], outages: [[String]]) {
        (
            r.byPriority.map { [$0.priority, "\($0.tickets)", achievement($0.firstResponse), achievement($0.resolution)] },
            r.breaches.map { [$0.ticket, $0.priority, $0.metric, $0.dueAt ?? "-", Format.duration(seconds: $0.overBySeconds), String($0.title.prefix(40))] },
            r.outages.map { [$0.outage.id, $0.outage.start, "\($0.tickets.count)", "\($0.openTickets)", $0.organisations.joined(separator: ", "), $0.tickets.joined(separator: ", ")] }
        )
    }

    static let priorityHeaders = ["PRIORITY", "TICKETS", "FIRST RESPONSE", "RESOLUTION"]
    static let breachHeaders = ["TICKET", "PRIORITY", "METRIC", "DUE", "OVER BY", "TITLE"]
    static let outageHeaders = ["OUTAGE", "START", "TICKETS", "OPEN", "ORGANISATIONS", "TICKET IDS"]

    static func table(_ r: TicketReportInfo) -> String {
        let (priorities, breaches, outages) = rows(r)
        var parts = [Escaping.terminal("Tickets created \(r.from) → \(r.to): \(r.tickets)")]
        var table = Table(priorityHeaders)
        table.rows = priorities
        if !priorities.isEmpty { parts.append(table.render()) }
        parts.append("Satisfaction: \(satisfaction(r.satisfaction))" + (r.satisfactionPeriod.map { "\n  over \(Escaping.terminal($0.period ?? "the period")): \(satisfaction($0))" } ?? ""))
        if !breaches.isEmpty {
            var breachTable = Table(breachHeaders)
            breachTable.rows = breaches
            parts.append("Breaches\n" + breachTable.render())
        }
        if !outages.isEmpty {
            var outageTable = Table(outageHeaders)
            outageTable.rows = outages
            parts.append("Tickets per outage\n" + outageTable.render())
        }
        for surge in r.surges {
            parts.append(Escaping.terminal("Ticket surge: \(surge.tag) — \(surge.recent) new tickets \(surge.from) → \(surge.to) (baseline \(Format.fixed(surge.baselinePerWindow, digits: 2)))"))
        }
        return parts.joined(separator: "\n\n")
    }

    static func markdownTable(_ headers: [String], _ rows: [[String]]) -> String {
        var lines = ["| " + headers.map { $0.lowercased() }.joined(separator: " | ") + " |", "|" + headers.map { _ in " --- |" }.joined()]
        lines += rows.map { "| " + $0.map(Escaping.markdownCell).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ r: TicketReportInfo) -> String {
        let (priorities, breaches, outages) = rows(r)
        var parts = ["**Tickets** created \(Escaping.markdownCell(r.from)) → \(Escaping.markdownCell(r.to)): \(r.tickets)"]
        if !priorities.isEmpty { parts.append(markdownTable(priorityHeaders, priorities)) }
        parts.append("**Satisfaction:** \(satisfaction(r.satisfaction))")
        if !breaches.isEmpty { parts.append("**Breaches**\n\n" + markdownTable(breachHeaders, breaches)) }
        if !outages.isEmpty { parts.append("**Tickets per outage**\n\n" + markdownTable(outageHeaders, outages)) }
        return parts.joined(separator: "\n\n")
    }

    static func html(_ r: TicketReportInfo, escape: (String) -> String) -> String {
        let (priorities, breaches, outages) = rows(r)
        func table(_ headers: [String], _ rows: [[String]]) -> String {
            "<table><thead><tr>" + headers.map { "<th>\(escape($0.lowercased()))</th>" }.joined() + "</tr></thead><tbody>"
                + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
        }
        var body = "<h2>Tickets</h2><p>\(r.tickets) created \(escape(r.from)) → \(escape(r.to)). Satisfaction: \(escape(satisfaction(r.satisfaction)))</p>"
        if !priorities.isEmpty { body += table(priorityHeaders, priorities) }
        if !breaches.isEmpty { body += "<h3>Breaches</h3>" + table(breachHeaders, breaches) }
        if !outages.isEmpty { body += "<h3>Tickets per outage</h3>" + table(outageHeaders, outages) }
        return body
    }
}
