import Foundation
import Testing
import VigilAgent
import VigilCollector
import VigilConfig
import VigilTestSupport
import VigilWire
@testable import VigilCLI

/// Collector, agent and a target in one process, over real loopback HTTP: the target is taken down for
/// a known time and the figures must show it.
@Suite("End to end")
struct EndToEndTests {
    @Test("down_seconds matches a known outage within one interval plus timeout")
    func knownOutage() async throws {
        let harness = try await TestCollector()
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("e2e")
        let target = SwitchableTarget()
        let interval: Int64 = 200
        let timeout: Int64 = 150
        let outage = Duration.seconds(2)
        try await withServices([harness.collector, target.application()]) {
            let collectorPort = await harness.ports.port()
            let targetPort = await target.ports.port()
            var configuration = try AgentConfiguration.parse(ConfigDocument.parse("""
                # The first collector is down: the agent fails over to the second.
                collector: [http://127.0.0.1:1, http://127.0.0.1:\(collectorPort)]
                token: \(token)
                batch:
                  max_delay: 200ms
                checks:
                  - name: health
                    service: web
                    url: http://127.0.0.1:\(targetPort)/health
                    interval: \(interval)ms
                    timeout: \(timeout)ms
                """, file: "e2e.yaml"))
            configuration.name = "e2e"
            configuration.spool.directory = harness.directory.path + "/agent-spool"
            let agent = Agent(configuration: configuration)
            let clock = ContinuousClock()
            let started = Date()
            try await withServices([agent]) {
                try await Task.sleep(for: .seconds(1.5))
                target.setHealthy(false)
                let downAt = clock.now
                try await Task.sleep(for: outage)
                target.setHealthy(true)
                let real = clock.now - downAt
                #expect(real >= outage)
                try await Task.sleep(for: .seconds(1.5))
            }
            let client = CollectorClient(baseURL: "http://127.0.0.1:\(collectorPort)", token: harness.collector.adminToken)
            let from = ISOTime.format(ms: Int64(started.timeIntervalSince1970 * 1000))
            let report = try await client.get("/v1/services/web/uptime?from=\(from)", as: UptimeReport.self)
            // What the probes saw, from the target's side: the first 503 to the first 200 after it. On an
            // idle machine that is the 2 s outage within one interval plus timeout; on a loaded one probes
            // run late, and the stored figure must still match what they saw.
            let answers = target.healthAnswers()
            let firstDown = try #require(answers.first { !$0.healthy }).atMs
            let backUp = try #require(answers.first { $0.atMs > firstDown && $0.healthy }).atMs
            let seen = Double(backUp - firstDown) / 1_000
            #expect(abs(report.downSeconds - seen) <= 0.25, "down \(report.downSeconds)s; the probes saw \(seen)s")
            // The target was down for at least 2 s from a moment between the last 200 before it and the
            // first 503, so the probes saw at least 2 s less that gap (one probe interval when they keep
            // their pace; more on a loaded machine, where the gap shows how late they ran).
            let lastUp = try #require(answers.last { $0.atMs <= firstDown && $0.healthy }).atMs
            let gap = Double(firstDown - lastUp) / 1_000
            #expect(seen >= 2.0 - gap - 0.005, "the probes saw only \(seen)s of a 2 s outage, with \(gap)s between the last 200 and the first 503")
            let availability = try #require(report.availability)
            #expect(abs(availability - report.upSeconds / (report.upSeconds + report.downSeconds)) < 1e-9)
            #expect(report.upSeconds > 1)

            let services = try await client.get("/v1/services", as: [ServiceStatusInfo].self)
            #expect(services.map(\.service) == ["web"])
            #expect(services[0].checks[0].agent == "e2e")
            let agents = try await client.get("/v1/agents", as: [AgentInfo].self)
            // 5 s of probing at 200 ms is 25 probes on an idle machine; a loaded one runs them late, so
            // this asks only that the agent kept shipping, not for a count of its pace.
            #expect(agents[0].heartbeats >= 10)
            #expect(agents[0].dropped == 0)
        }
    }
}
