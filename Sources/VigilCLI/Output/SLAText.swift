import VigilCore
import VigilWire

/// The human form of one service's SLA figures.
enum SLAText {
    static func render(_ r: SLAReportInfo) -> String {
        var lines: [(String, String)] = []
        lines.append(("service", "\(r.service)  (\(r.window): \(r.from) → \(r.to); calendar \(r.calendar), \(r.timeZone))"))
        var verdict = ""
        if let target = r.targetPercent {
            let state = r.met.map { $0 ? "met" : "MISSED" + (r.missedByPoints.map { " by \(Format.fixed($0, digits: 4)) points" } ?? "") } ?? "no data"
            verdict = "  target \(Format.fixed(target, digits: 3))% — \(state)"
        }
        lines.append(("availability", "\(Format.percent(r.availability, digits: 4)) by \(r.method)\(verdict)"))
        let others = r.availabilityByMethod.filter { $0.key != r.method }.sorted { $0.key < $1.key }
        if !others.isEmpty {
            lines.append(("", others.map { "\($0.key) \(Format.percent($0.value, digits: 4))" }.joined(separator: " · ")))
        }
        if let budget = r.errorBudget {
            let ratio = budget.remainingRatio.map { " (\(Format.percent($0, digits: 1)) left)" } ?? ""
            lines.append(("error budget", "\(amount(budget.total, budget.unit)), used \(amount(budget.consumed, budget.unit)), remaining \(amount(budget.remaining, budget.unit))\(ratio)"))
        }
        if !r.burnRates.isEmpty {
            lines.append(("burn rate", r.burnRates.map { "\($0.window) \($0.rate.map { Format.fixed($0, digits: 2) + "×" } ?? "-")" }.joined(separator: "  ")))
        }
        let degraded = r.degradedSeconds > 0 ? " (degraded \(Format.duration(seconds: r.degradedSeconds)))" : ""
        lines.append(("time", "up \(Format.duration(seconds: r.upSeconds))\(degraded) · down \(Format.duration(seconds: r.downSeconds)) · unknown \(Format.duration(seconds: r.unknownSeconds))"))
        lines.append(("excluded", "maintenance \(Format.duration(seconds: r.maintenanceSeconds)) · outside calendar \(Format.duration(seconds: r.outsideCalendarSeconds))"))
        lines.append(("coverage", "\(Format.percent(r.coverage, digits: 1)) of \(Format.duration(seconds: r.eligibleSeconds)) eligible (unknown: \(r.unknownPolicy))"))
        var outages = "\(r.outageCount) · total \(Format.duration(seconds: r.totalDowntimeSeconds))"
        if let longest = r.longestOutageSeconds { outages += " · longest \(Format.duration(seconds: longest))" }
        if let mttr = r.mttrSeconds { outages += " · MTTR \(Format.duration(seconds: mttr))" }
        if let mtbf = r.mtbfSeconds { outages += " · MTBF \(Format.duration(seconds: mtbf))" }
        if let ttd = r.meanTimeToDetectSeconds { outages += " · time to detect \(Format.duration(seconds: ttd))" }
        lines.append(("outages", outages))
        lines.append(("blips", "\(r.blips) unconfirmed failure streak\(r.blips == 1 ? "" : "s") (counted as up)"))
        lines.append(("latency", latency(r.latency)))
        if let credit = r.creditPercent, let below = r.creditBelowPercent {
            lines.append(("credit", "\(Format.fixed(credit, digits: 0))% of the fee (availability below \(Format.fixed(below, digits: 2))%)"))
        } else {
            lines.append(("credit", "none"))
        }
        lines.append(("checks", "\(r.checks)"))
        var text = lines.map { $0.0.padding(14) + Escaping.terminal($0.1) }.joined(separator: "\n")
        if !r.outages.isEmpty {
            text += "\n\nOutages\n" + OutageTable.render(r.outages)
        }
        if let explain = r.explain { text += "\n\n" + self.explain(explain) }
        return text
    }

    static func amount(_ value: Double, _ unit: String) -> String {
        if unit == "seconds" { return (value < 0 ? "-" : "") + Format.duration(seconds: abs(value)) }
        return Format.fixed(value, digits: 1) + " " + unit
    }

    static func latency(_ l: LatencyInfo) -> String {
        guard l.probes > 0 else { return "no probes measured" }
        func ms(_ v: Double?) -> String { v.map { Format.fixed($0, digits: 1) + " ms" } ?? "-" }
        var text = "p50 \(ms(l.p50Ms)) · p95 \(ms(l.p95Ms)) · p99 \(ms(l.p99Ms)) over \(l.probes) probes"
        if let threshold = l.thresholdMs, let objective = l.objectivePercent {
            let state = l.met.map { $0 ? "met" : "MISSED" } ?? "-"
            text += "; objective \(Format.fixed(objective, digits: 2))% ≤ \(Format.fixed(threshold, digits: 0)) ms: \(Format.percent(l.attainment, digits: 2)) \(state)"
        }
        return text
    }

    static func explain(_ e: ExplainInfo) -> String {
        var parts: [String] = []
        var states = Table("STATE", "FROM", "TO", "DURATION")
        for segment in e.segments { states.add(segment.status, segment.from, segment.to, Format.duration(seconds: segment.seconds)) }
        parts.append("Service state\n" + states.render())
        if !e.exclusions.isEmpty {
            var table = Table("EXCLUDED", "FROM", "TO", "DURATION", "WHY")
            for item in e.exclusions { table.add(item.kind, item.from, item.to, Format.duration(seconds: item.seconds), item.detail) }
            parts.append("Exclusions\n" + table.render())
        }
        var locations = Table("LOCATION", "UP", "DOWN", "UNKNOWN", "BLIPS")
        for location in e.locations {
            locations.add(
                location.name, Format.duration(seconds: location.upSeconds), Format.duration(seconds: location.downSeconds),
                Format.duration(seconds: location.unknownSeconds), "\(location.blips.count)"
            )
        }
        parts.append("Locations (eligible time)\n" + locations.render())
        let blips = e.locations.flatMap { location in location.blips.map { (location.name, $0) } }
        if !blips.isEmpty {
            var table = Table("LOCATION", "FROM", "TO", "FAILURES", "MESSAGE")
            for (name, blip) in blips { table.add(name, blip.from, blip.to, "\(blip.failures)", blip.message) }
            parts.append("Blips (unconfirmed, counted as up)\n" + table.render())
        }
        return parts.joined(separator: "\n\n")
    }
}

/// The outage list used by `uptime` and `outages`.
enum OutageTable {
    static func render(_ outages: [OutageInfo]) -> String {
        var table = Table("ID", "START", "END", "DURATION", "COUNTED", "DETECT", "LOCATIONS", "FIRST ERROR")
        for outage in outages {
            table.add(
                outage.id, outage.start, outage.end ?? "ongoing", Format.duration(seconds: outage.durationSeconds),
                Format.duration(seconds: outage.eligibleDownSeconds) + (outage.inMaintenance ? " (maint.)" : ""),
                outage.timeToDetectSeconds.map { Format.duration(seconds: $0) } ?? "-",
                outage.locations.joined(separator: ","), outage.firstMessage
            )
        }
        return table.render()
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
