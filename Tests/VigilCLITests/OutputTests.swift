import Testing
import VigilWire
@testable import VigilCLI

@Suite("CLI output")
struct OutputTests {
    let report = UptimeReport(
        service: "api", from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z", availability: 0.999, coverage: 0.5,
        upSeconds: 43_156.8, degradedSeconds: 0, downSeconds: 43.2, unknownSeconds: 43_200, eligibleSeconds: 86_400, checks: 2
    )

    @Test("uptime renders the figures a person checks first")
    func uptime() {
        let text = UptimeCommand.render(report)
        #expect(text.contains("availability  99.900%"))
        #expect(text.contains("down          43s"))
        #expect(text.contains("coverage      50.0% of 1d00h eligible"))
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
        #expect(throws: (any Error).self) { try UptimeCommand.parse(["api", "--to", "2026-11-01"]) }
        #expect(throws: Never.self) { try UptimeCommand.parse(["api", "--last", "1h", "--json"]) }
    }
}
