import VigilCore
import Foundation
import VigilWire

/// `vigil report` in each output format. Every format carries the same columns.
enum ReportFormats {
    static let headers = [
        "service", "window", "target", "availability", "status", "downtime", "outages", "longest", "budget_left",
        "coverage", "p95_ms", "credit",
    ]

    /// One row of display cells per service.
    static func cells(_ r: SLAReportInfo) -> [String] {
        [
            r.service, r.window, r.targetPercent.map { Format.fixed($0, digits: 3) + "%" } ?? "-",
            Format.percent(r.availability, digits: 4),
            r.met.map { $0 ? "met" : "missed" } ?? (r.targetPercent == nil ? "no target" : "no data"),
            Format.duration(seconds: r.totalDowntimeSeconds), "\(r.outageCount)",
            r.longestOutageSeconds.map { Format.duration(seconds: $0) } ?? "-",
            r.errorBudget?.remainingRatio.map { Format.percent($0, digits: 1) } ?? "-",
            Format.percent(r.coverage, digits: 1),
            r.latency.p95Ms.map { Format.fixed($0, digits: 1) } ?? "-",
            r.creditPercent.map { Format.fixed($0, digits: 0) + "%" } ?? "-",
        ]
    }

    static func table(_ reports: [SLAReportInfo]) -> String {
        var table = Table(headers.map { $0.uppercased().replacingUnderscores() })
        for report in reports { table.rows.append(cells(report)) }
        return table.render()
    }

    static func markdown(_ reports: [SLAReportInfo]) -> String {
        var lines = ["| " + headers.map { $0.replacingUnderscores() }.joined(separator: " | ") + " |"]
        lines.append("|" + headers.map { _ in " --- |" }.joined())
        for report in reports {
            lines.append("| " + cells(report).map(Escaping.markdownCell).joined(separator: " | ") + " |")
        }
        let outages = reports.flatMap(\.outages)
        if !outages.isEmpty {
            lines.append("")
            lines.append("| outage | start | end | counted downtime | locations | first error |")
            lines.append("| --- | --- | --- | --- | --- | --- |")
            for outage in outages {
                let cells = [
                    outage.id, outage.start, outage.end ?? "ongoing", Format.duration(seconds: outage.eligibleDownSeconds),
                    outage.locations.joined(separator: ", "), outage.firstMessage,
                ]
                lines.append("| " + cells.map(Escaping.markdownCell).joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV with raw numbers (fractions, seconds) for spreadsheets.
    static func csv(_ reports: [SLAReportInfo]) -> String {
        let columns = [
            "service", "window", "from", "to", "method", "target_percent", "availability", "met", "up_seconds", "down_seconds",
            "unknown_seconds", "maintenance_seconds", "eligible_seconds", "coverage", "outage_count", "total_downtime_seconds",
            "longest_outage_seconds", "mttr_seconds", "mtbf_seconds", "budget_remaining", "budget_unit", "p50_ms", "p95_ms",
            "p99_ms", "credit_percent",
        ]
        var csv = columns.joined(separator: ",") + "\r\n"
        func n(_ value: Double?) -> String { value.map(Escaping.csvNumber) ?? "" }
        let text = Escaping.csvText
        for r in reports {
            let row: [String] = [
                text(r.service), text(r.window), text(r.from), text(r.to), text(r.method), n(r.targetPercent), n(r.availability),
                r.met.map { "\($0)" } ?? "",
                n(r.upSeconds), n(r.downSeconds), n(r.unknownSeconds), n(r.maintenanceSeconds), n(r.eligibleSeconds),
                n(r.coverage), "\(r.outageCount)", n(r.totalDowntimeSeconds), n(r.longestOutageSeconds), n(r.mttrSeconds),
                n(r.mtbfSeconds), n(r.errorBudget?.remaining), text(r.errorBudget?.unit ?? ""), n(r.latency.p50Ms), n(r.latency.p95Ms),
                n(r.latency.p99Ms), n(r.creditPercent),
            ]
            csv += row.joined(separator: ",") + "\r\n"
        }
        return csv
    }

    /// A self-contained HTML page: the summary table, then per service a chart of availability per day
    /// against its target, its outages with the tickets linked to each, and its credit; then the ticket
    /// SLA tables.
    static func html(_ reports: [SLAReportInfo], tickets: TicketReportInfo? = nil, days: [ServiceDaysInfo] = []) -> String {
        let esc = Escaping.html
        var body = "<table><thead><tr>" + headers.map { "<th>\(esc($0.replacingUnderscores()))</th>" }.joined() + "</tr></thead><tbody>"
        for report in reports {
            let missed = report.met == false ? " class=\"missed\"" : ""
            body += "<tr\(missed)>" + cells(report).map { "<td>\(esc($0))</td>" }.joined() + "</tr>"
        }
        body += "</tbody></table>"
        let daysByService = Dictionary(days.map { ($0.service, $0) }, uniquingKeysWith: { first, _ in first })
        let ticketsByOutage = Dictionary((tickets?.outages ?? []).map { ($0.outage.id, $0.tickets) }, uniquingKeysWith: { first, _ in first })
        for report in reports {
            body += "<section><h2>\(esc(report.service))</h2>"
            var facts = ["availability " + (report.availability.map { ReportChart.format($0 * 100) + " %" } ?? "no data")]
            if let target = report.targetPercent { facts.append("target \(ReportChart.format(target)) %" + (report.met == false ? " — missed" : "")) }
            if let credit = report.creditPercent { facts.append("service credit \(ReportChart.format(credit)) % of the fee") }
            body += "<p>\(esc(facts.joined(separator: " · ")))</p>"
            if let serviceDays = daysByService[report.service] { body += ReportChart.svg(serviceDays, escape: esc) }
            if !report.outages.isEmpty {
                body += "<table><thead><tr><th>start</th><th>end</th><th>counted downtime</th><th>locations</th><th>first error</th><th>tickets</th></tr></thead><tbody>"
                for outage in report.outages {
                    let linked = ticketsByOutage[outage.id] ?? []
                    body += "<tr><td>\(esc(outage.start))</td><td>\(esc(outage.end ?? "ongoing"))</td><td>\(esc(Format.duration(seconds: outage.eligibleDownSeconds)))</td><td>\(esc(outage.locations.joined(separator: ", ")))</td><td>\(esc(outage.firstMessage))</td><td>\(esc(linked.isEmpty ? "—" : linked.joined(separator: ", ")))</td></tr>"
                }
                body += "</tbody></table>"
            }
            body += "</section>"
        }
        if let tickets { body += TicketReportText.html(tickets, escape: esc) }
        let title = "Vigil SLA report" + (reports.first.map { " — \($0.window)" } ?? "")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;margin:1rem 0;width:100%}
            th,td{border-bottom:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;font-variant-numeric:tabular-nums}
            th{background:#f6f8fa}tr.missed td{background:#ffebe9}section{margin:2rem 0}.chart{width:100%;max-width:48rem;height:auto;display:block}
            @media print{body{margin:1cm}section{break-inside:avoid}}</style></head>
            <body><h1>\(esc(title))</h1>\(body)</body></html>
            """
    }
}

extension String {
    func replacingUnderscores() -> String { replacingOccurrences(of: "_", with: " ") }
}
