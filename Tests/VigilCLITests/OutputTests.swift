import Testing
import VigilCore
import VigilWire
@testable import VigilCLI

@Suite("CLI output")
struct OutputTests {
    let report = UptimeReport(
        service: "api", from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z", availability: 0.999, coverage: 0.5,
        upSeconds: 43_156.8, degradedSeconds: 0, downSeconds: 43.2, unknownSeconds: 43_200, eligibleSeconds: 86_400, checks: 2
    )

    let sla = SLAReportInfo(
        service: "api", window: "2026-10", from: "2026-10-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z",
        evaluatedTo: "2026-11-01T00:00:00.000Z", method: "time", targetPercent: 99.9, unknownPolicy: "exclude",
        calendar: "24x7", timeZone: "UTC", checks: 3, availability: 0.9989, availabilityByMethod: ["time": 0.9989, "occurrences": 0.999],
        coverage: 1, upSeconds: 2_675_454, degradedSeconds: 0, downSeconds: 2_946, unknownSeconds: 0, maintenanceSeconds: 0,
        outsideCalendarSeconds: 0, eligibleSeconds: 2_678_400, good: 2_675_454_000, counted: 2_678_400_000, met: false,
        missedByPoints: 0.0011, errorBudget: ErrorBudgetInfo(unit: "seconds", total: 2_678.4, consumed: 2_946, remaining: -267.6, remainingRatio: -0.0999),
        burnRates: [BurnRateInfo(window: "1h", rate: 0)], outageCount: 1, totalDowntimeSeconds: 2_946, longestOutageSeconds: 2_946,
        mttrSeconds: 2_946, mtbfSeconds: 2_675_454, meanTimeToDetectSeconds: 60, blips: 2,
        latency: LatencyInfo(probes: 10, p50Ms: 42, p95Ms: 80, p99Ms: 95), creditPercent: 10, creditBelowPercent: 99.9,
        outages: [OutageInfo(id: "api:1", service: "api", start: "2026-10-10T00:00:00.000Z", end: "2026-10-10T00:49:06.000Z", ongoing: false, durationSeconds: 2_946, eligibleDownSeconds: 2_946, locations: ["a/api"], firstMessage: "status 503", inMaintenance: false)]
    )

    @Test("an agent's clock offset carries the sign of what is shown: never -0.0s")
    func clockOffsets() {
        #expect(AgentsCommand.List.signed(-0.04) == "+0.0s")
        #expect(AgentsCommand.List.signed(0.04) == "+0.0s")
        #expect(AgentsCommand.List.signed(-0.06) == "-0.1s")
        #expect(AgentsCommand.List.signed(2.25) == "+2.3s")
        #expect(AgentsCommand.List.signed(-3_600) == "-" + Format.duration(seconds: 3_600))
        #expect(AgentsCommand.List.signed(0) == "+0.0s")
    }

    @Test("uptime renders the SLA verdict, budget, outages and credit")
    func uptime() {
        let text = SLAText.render(sla)
        #expect(text.contains("availability  99.8900% by time  target 99.900% — MISSED by 0.0011 points"))
        #expect(text.contains("occurrences 99.9000%"))
        #expect(text.contains("error budget  44m38s, used 49m06s, remaining -4m28s"))
        #expect(text.contains("credit        10% of the fee (availability below 99.90%)"))
        #expect(text.contains("status 503"))
    }

    @Test("report formats carry the same rows")
    func reportFormats() {
        #expect(ReportFormats.table([sla]).contains("missed"))
        #expect(ReportFormats.markdown([sla]).hasPrefix("| service | window | target |"))
        let csv = ReportFormats.csv([sla])
        #expect(csv.split(separator: "\r\n").count == 2)
        #expect(csv.contains("api,2026-10,"))
        #expect(Escaping.csvText("a,\"b\"") == "\"a,\"\"b\"\"\"")
        let html = ReportFormats.html([sla])
        #expect(html.hasPrefix("<!doctype html>") && html.contains("<tr class=\"missed\">"))
    }

    @Test("the HTML report's chart names its bars by the resolution it was given: minutes for an hour")
    func minuteBars() {
        let bars = (0..<3).map { minute in
            DayInfo(
                date: "2026-12-01", start: "2026-12-01T21:0\(minute):00.000Z", end: "2026-12-01T21:0\(minute + 1):00.000Z",
                label: "2026-12-01 21:0\(minute)", availability: minute == 1 ? 0.5 : 1, upSeconds: minute == 1 ? 30 : 60,
                downSeconds: minute == 1 ? 30 : 0, unknownSeconds: 0, maintenanceSeconds: 0
            )
        }
        let chart = ReportChart.svg(ServiceDaysInfo(service: "api", targetPercent: 99.9, resolutionSeconds: 60, days: bars), escape: Escaping.html)
        #expect(chart.contains("aria-label=\"api: availability per minute\""))
        #expect(chart.contains("<title>2026-12-01 21:01: 50 % available, down 30s</title>"))
        #expect(chart.contains(">2026-12-01 21:00</text>") && chart.contains(">2026-12-01 21:02</text>"))
        // A collector without resolutions sends days with dates only.
        let days = ServiceDaysInfo(service: "api", targetPercent: nil, days: [DayInfo(date: "2026-11-30", availability: 1, upSeconds: 1, downSeconds: 0, unknownSeconds: 0, maintenanceSeconds: 0)])
        #expect(ReportChart.svg(days, escape: Escaping.html).contains("availability per day"))
        #expect(ReportChart.unit(seconds: 300) == "5 minutes" && ReportChart.unit(seconds: 3_600) == "hour" && ReportChart.unit(seconds: 21_600) == "6 hours")
    }

    @Test("status lists services and the checks that are not up")
    func status() {
        let services = [ServiceStatusInfo(service: "api", state: "down", last24h: report, checks: [
            CheckStatusInfo(name: "health", agent: "web-01", kind: "http", target: "http://x", state: "down", lastHeartbeat: "2026-11-02T00:00:00.000Z", latencyMs: 1, message: "status 503"),
        ])]
        let text = StatusCommand.render(services)
        #expect(text.contains("api      DOWN   99.900%"))
        #expect(text.contains("status 503"))
        #expect(StatusCommand.render([]).contains("No services yet"))
    }

    @Test("number formats", arguments: [(0.5, 1, "50.0%"), (1.0, 3, "100.000%"), (0.99953, 3, "99.953%")])
    func percent(value: Double, digits: Int, text: String) {
        #expect(Format.percent(value, digits: digits) == text)
    }

    @Test("uptime flags are checked before anything is sent")
    func flags() {
        #expect(throws: (any Error).self) { try UptimeCommand.parse(["api", "--last", "1h", "--from", "2026-11-01"]) }
        #expect(throws: (any Error).self) { try UptimeCommand.parse(["api", "--month", "2026-10", "--quarter", "2026-Q4"]) }
        #expect(throws: (any Error).self) { try UptimeCommand.parse(["api", "--to", "2026-11-01"]) }
        #expect(throws: (any Error).self) { try UptimeCommand.parse(["api", "--method", "average"]) }
        #expect(throws: Never.self) { try UptimeCommand.parse(["api", "--last", "1h", "--json"]) }
        #expect(throws: Never.self) { try UptimeCommand.parse(["api", "--month", "2026-10", "--explain"]) }
        #expect(throws: (any Error).self) { try MaintenanceCommand.Add.parse(["api", "--start", "2026-11-01T00:00:00Z"]) }
        #expect(throws: (any Error).self) { try MaintenanceCommand.Add.parse(["api", "--weekly", "sun 02:00-04:00", "--duration", "1h"]) }
    }
}
