import VigilCore
import VigilWire

/// Renders ``StatusPageModel`` as one HTML page with inline CSS and no JavaScript: readable on a phone
/// (the bar shows the last 30 days there) and on a wide screen (90 days).
enum StatusPageHTML {
    static func render(_ page: StatusPageModel, title: String = "Service status") -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="60">
            <title>\(Escaping.html(title))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <h1>\(Escaping.html(title))</h1>
            <p class="overall \(page.overall.rawValue)">\(overallText(page.overall))</p>
            <p class="muted">Updated \(Escaping.html(clock(page.generatedMs)))</p>
            </header>
            <main>

            """
        if !page.maintenance.isEmpty {
            html += "<section class=\"card notice\">\n<h2>Maintenance</h2>\n<ul>\n"
            for item in page.maintenance {
                let when = item.range.startMs <= page.generatedMs
                    ? "In progress until \(clock(item.range.endMs))"
                    : "\(clock(item.range.startMs)) – \(clock(item.range.endMs))"
                let scope = item.service == "*" ? "All services" : item.service
                html += "<li><strong>\(Escaping.html(scope))</strong>: \(Escaping.html(when))\(item.recurring ? " (weekly)" : "")"
                    + (item.reason.isEmpty ? "" : " — \(Escaping.html(item.reason))") + "</li>\n"
            }
            html += "</ul>\n</section>\n"
        }
        if page.services.isEmpty {
            html += "<section class=\"card\"><p>No services are reported yet.</p></section>\n"
        }
        for service in page.services { html += card(service) }
        if page.hiddenServices > 0 {
            html += "<p class=\"muted\">and \(page.hiddenServices) more service\(page.hiddenServices == 1 ? "" : "s"), not shown here (the API and <code>vigil status</code> list them all)</p>\n"
        }
        html += "</main>\n<footer class=\"muted\">Vigil · availability from its agents' probes</footer>\n</body>\n</html>\n"
        return html
    }

    static func card(_ service: StatusPageModel.Service) -> String {
        var html = "<section class=\"card\">\n<div class=\"head\"><h2>\(Escaping.html(service.name))</h2>"
            + "<span class=\"pill \(service.state.rawValue)\">\(stateText(service.state))</span></div>\n"
        if let target = service.target {
            var line = "SLA \(HTMLText.percent(target.fraction, digits: 4)) for \(Escaping.html(service.period))"
            if let availability = service.availability { line += ": \(HTMLText.percent(availability)) so far" }
            if let left = service.budgetRemainingRatio {
                line += left >= 0 ? " · \(Int((left * 100).rounded(.down))) % of the error budget left" : " · error budget spent"
            }
            html += "<p class=\"sla\">\(line)</p>\n"
        }
        html += "<div class=\"bar\" role=\"img\" aria-label=\"Daily availability, last \(service.days.count) days\">"
        for day in service.days {
            let (level, text) = dayCell(day, target: service.target)
            html += "<span class=\"d \(level)\" title=\"\(Escaping.html(text))\"></span>"
        }
        html += "</div>\n<div class=\"legend muted\"><span class=\"wide\">\(service.days.count) days ago</span>"
            + "<span class=\"narrow\">30 days ago</span><span>"
            + (service.availabilityOverDays.map { "\(HTMLText.percent($0)) uptime" } ?? "no data") + "</span><span>Today</span></div>\n"
        let outages = service.openOutages + service.recentOutages.prefix(5)
        if !outages.isEmpty {
            html += "<ul class=\"outages\">\n"
            for outage in outages {
                let span = outage.ongoing
                    ? "Ongoing since \(clock(outage.range.startMs))"
                    : "\(clock(outage.range.startMs)) for \(HTMLText.duration(ms: outage.range.endMs - outage.range.startMs))"
                html += "<li class=\"\(outage.ongoing ? "open" : "closed")\">\(Escaping.html(span))"
                    + (outage.firstMessage.isEmpty ? "" : ": \(Escaping.html(outage.firstMessage))")
                    + (outage.inMaintenance ? " (maintenance)" : "") + "</li>\n"
            }
            html += "</ul>\n"
        }
        return html + "</section>\n"
    }

    /// A day's colour class and hover text.
    static func dayCell(_ day: SLAReporter.Day, target: Percentage?) -> (String, String) {
        let result = day.result
        let date = day.date.description
        guard let availability = result.availability, result.upMs + result.downMs > 0 else { return ("none", "\(date): no data") }
        var text = "\(date): \(HTMLText.percent(availability)) available"
        text += result.downMs > 0 ? ", down \(HTMLText.duration(ms: result.downMs))" : ", no downtime"
        if result.unknownMs > 0 { text += ", \(HTMLText.duration(ms: result.unknownMs)) without data" }
        if result.maintenanceMs > 0 { text += ", \(HTMLText.duration(ms: result.maintenanceMs)) maintenance" }
        let goal = target.map { Double($0.ppm) / 1_000_000 } ?? 0.999
        let level = availability >= goal ? "ok" : availability >= 0.99 ? "minor" : availability >= 0.95 ? "major" : "bad"
        return (level, text)
    }

    static func overallText(_ state: CheckStatus) -> String {
        switch state {
        case .up: "All systems operational"
        case .degraded: "Degraded performance"
        case .down: "Outage in progress"
        case .unknown: "Status unknown"
        }
    }

    static func stateText(_ state: CheckStatus) -> String {
        switch state {
        case .up: "Operational"
        case .degraded: "Degraded"
        case .down: "Down"
        case .unknown: "No data"
        }
    }

    /// `2026-11-22 21:30 UTC`.
    static func clock(_ ms: Int64) -> String {
        let iso = ISOTime.format(ms: ms)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    static let css = """
        :root{--ok:#2da44e;--minor:#bf8700;--major:#e16f24;--bad:#cf222e;--none:#d0d7de;--ink:#1f2328;--muted:#656d76;--card:#fff;--bg:#f6f8fa}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
        header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
        header{padding-top:2rem}
        h1{font-size:1.6rem;margin:0 0 .75rem}
        h2{font-size:1.1rem;margin:0}
        .overall{margin:0;padding:.9rem 1.1rem;border-radius:.5rem;color:#fff;font-weight:600;background:var(--ok)}
        .overall.degraded{background:var(--minor)}.overall.down{background:var(--bad)}.overall.unknown{background:var(--muted)}
        .muted{color:var(--muted);font-size:.875rem}
        .card{background:var(--card);border:1px solid #d0d7de;border-radius:.5rem;padding:1rem 1.1rem;margin:1rem 0}
        .notice{border-color:var(--minor)}
        .notice ul,.outages{margin:.5rem 0 0;padding-left:1.1rem}
        .head{display:flex;justify-content:space-between;align-items:center;gap:1rem}
        .pill{font-size:.8rem;font-weight:600;padding:.15rem .6rem;border-radius:1rem;color:#fff;background:var(--ok);white-space:nowrap}
        .pill.degraded{background:var(--minor)}.pill.down{background:var(--bad)}.pill.unknown{background:var(--muted)}
        .sla{margin:.4rem 0 .6rem;color:var(--muted);font-size:.9rem}
        .bar{display:grid;grid-template-columns:repeat(90,1fr);gap:2px;height:2.2rem;margin-top:.5rem}
        .d{border-radius:2px;background:var(--none)}
        .d.ok{background:var(--ok)}.d.minor{background:var(--minor)}.d.major{background:var(--major)}.d.bad{background:var(--bad)}
        .d:hover{opacity:.7}
        .legend{display:flex;justify-content:space-between;margin-top:.25rem}
        .legend .narrow{display:none}
        .outages li{font-size:.9rem}.outages .open{color:var(--bad);font-weight:600}
        footer{padding:1rem 1rem 2rem}
        @media (max-width:40rem){
          .bar{grid-template-columns:repeat(30,1fr);gap:1px}
          .bar .d:nth-child(-n+60){display:none}
          .legend .wide{display:none}.legend .narrow{display:inline}
          h1{font-size:1.3rem}
        }
        """
}
