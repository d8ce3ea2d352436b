import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilTestSupport
@testable import VigilCollector

@Suite("Collector configuration")
struct ConfigurationTests {
    @Test("the example in deploy/ is valid and spells out the defaults")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/collector.yaml").path
        let loaded = try CollectorConfiguration.load(path: path)
        let defaults = CollectorConfiguration()
        #expect(loaded.host == defaults.host && loaded.port == defaults.port && loaded.dataDirectory == defaults.dataDirectory)
        #expect(loaded.maxBodyBytes == defaults.maxBodyBytes && loaded.retentionMs == defaults.retentionMs)
        #expect(loaded.maxClockSkewMs == defaults.maxClockSkewMs && loaded.minuteRollupRetentionMs == defaults.minuteRollupRetentionMs)
        #expect(loaded.storage == defaults.storage)
        #expect(loaded.ingestBudgetBytes == defaults.ingestBudgetBytes && loaded.rateLimit == defaults.rateLimit)
        #expect(loaded.limits == defaults.limits && loaded.catalog.reporters.isEmpty && loaded.connections == defaults.connections)
        let api = loaded.catalog.policy(for: "api")
        #expect(api.target?.description == "99.9%")
        #expect(api.credits.map(\.credit.description) == ["10%", "25%", "100%"])
        #expect(api.latency == LatencyObjective(thresholdMs: 300, target: Percentage("99")!))
        let portal = loaded.catalog.policy(for: "support-portal")
        #expect(portal.quorum == .all && portal.confirmation.failureThreshold == 3)
        #expect(portal.period == .quarter && portal.zone.identifier == "America/New_York" && portal.calendar.name == "business")
        #expect(portal.calendar.schedule?.exceptions.count == 3)
        #expect(loaded.catalog.policy(for: "other").target == nil)
        #expect(loaded.catalog.maintenance.map(\.id) == ["config-1"])
        #expect(loaded.catalog.aliases["support-portal"] == ["portal", "helpdesk"])
        let tickets = loaded.catalog.tickets
        #expect(tickets.policies.map(\.name) == ["complex-technical", "simple-request"])
        #expect(tickets.policies[0].targets[.resolution].map(\.durationMs) == Int64(72 * 3_600_000))
        #expect(tickets.policies[1].targets[.resolution].map(\.durationMs) == Int64(48 * 3_600_000))
        #expect(tickets.pauseStatuses == [.pending, .onHold] && tickets.satisfactionTarget.description == "90%")
    }

    @Test("limits and the agents allowed to report a service are read; mistakes are located")
    func limitsAndReporters() throws {
        let yaml = """
            limits: {checks_per_agent: 50, services: 7}
            services:
              payments: {agents: [edge-fra, edge-nyc]}
            """
        let loaded = try CollectorConfiguration.parse(ConfigDocument.parse(yaml, file: "c.yaml"))
        #expect(loaded.limits.checksPerAgent == 50 && loaded.limits.servicesPerAgent == 1_000 && loaded.limits.services == 7)
        #expect(loaded.catalog.reporters == ["payments": ["edge-fra", "edge-nyc"]])
        let zero = #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("limits: {services_per_agent: 0}\n", file: "c.yaml"))
        }
        #expect(zero?.description.contains("c.yaml:1:") == true && zero?.description.contains("must be at least 1") == true)
        #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("limits: {checks: 5}\n", file: "c.yaml"))
        }
        let connections = try CollectorConfiguration.parse(ConfigDocument.parse("connections: {max: 50, idle_timeout: 2s, request_timeout: 1m}\n", file: "c.yaml"))
        #expect(connections.connections.max == 50 && connections.connections.idleTimeoutMs == 2_000 && connections.connections.requestTimeoutMs == 60_000)
        #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("connections: {idle_timeout: 10ms}\n", file: "c.yaml"))
        }
        #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("services: {api: {agents: [\"\"]}}\n", file: "c.yaml"))
        }
    }

    @Test("the compose example's collector config is valid; storage is SQLite unless set")
    func composeExample() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/compose/collector.yaml").path
        let loaded = try CollectorConfiguration.load(path: path)
        #expect(loaded.storage == .sqlite)
        #expect(loaded.alerts.hooks.map(\.name) == ["log"])
    }

    @Test("storage.postgres is read with its URL, password file and limits; mistakes are located")
    func storage() throws {
        let directory = try TemporaryDirectory("vigil-config")
        defer { directory.remove() }
        try "s3cret\n".write(toFile: directory.path + "/pw", atomically: true, encoding: .utf8)
        let yaml = """
            storage:
              postgres:
                url: postgres://vigil@db.internal:6432/metrics?sslmode=verify-full&sslrootcert=/etc/ca.pem
                password_file: \(directory.path)/pw
                max_connections: 4
                connect_timeout: 2s
                query_timeout: 10s
            """
        let loaded = try CollectorConfiguration.parse(ConfigDocument.parse(yaml, file: "c.yaml"))
        var expected = try PostgresSettings(url: "postgres://vigil@db.internal:6432/metrics?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        expected.password = "s3cret"
        expected.maxConnections = 4
        expected.connectTimeoutMs = 2_000
        expected.queryTimeoutMs = 10_000
        #expect(loaded.storage == .postgres(expected))
        #expect(expected.tlsMode == .verifyFull && expected.rootCertificatePath == "/etc/ca.pem" && expected.database == "metrics")
        #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("storage: {postgres: {url: mysql://x}}\n", file: "c.yaml"))
        }
        #expect(throws: ConfigError.self) {
            try CollectorConfiguration.parse(ConfigDocument.parse("storage: {postgres: {url: \"postgres://x/db?sslmode=maybe\"}}\n", file: "c.yaml"))
        }
        #expect(StorageSettings.sqlite == (try StorageSettings(argument: "sqlite")))
        #expect(PostgresSettings.redacted("postgres://u:pw@h/db") == "postgres://u:***@h/db")
    }

    @Test("SLA mistakes are located", arguments: [
        ("services:\n  api:\n    sla: {target: 101}\n", "c.yaml:3:19: services.api.sla.target: expected a percentage between 0 and 100 with at most 4 decimals, e.g. 99.9"),
        ("services:\n  api:\n    sla: {calendar: nope}\n", "c.yaml:3:21: services.api.sla.calendar: unknown calendar \"nope\" (defined: 24x7)"),
        ("services:\n  api:\n    quorum: most\n", "c.yaml:3:13: services.api.quorum: expected any, all, majority or a number of locations (1 or more)"),
        ("calendars:\n  b:\n    time_zone: Mars/Base\n    hours: []\n", "c.yaml:3:16: calendars.b.time_zone: unknown time zone \"Mars/Base\" (use a tz database name such as Europe/Berlin or UTC)"),
        ("calendars:\n  b:\n    time_zone: UTC\n    hours: [{days: mon-fri, from: '17:00', to: '09:00'}]\n", "c.yaml:4:13: calendars.b.hours[0]: hours 17:00-09:00 must end after they start, within one day (use 24:00 for midnight)"),
        ("maintenance:\n  - {service: api, start: 2026-11-01T02:00:00Z}\n", "c.yaml:2:5: maintenance[0].end: required key is missing"),
        ("tickets:\n  pause_statuses: [waiting]\n", "c.yaml:2:20: tickets.pause_statuses[0]: unknown status \"waiting\" (expected new, open, pending, on_hold, solved or closed)"),
        ("tickets:\n  policies:\n    - {name: p, first_response: {target: 1h, calendar: nope}}\n", "c.yaml:3:56: tickets.policies[0].first_response.calendar: unknown calendar \"nope\" (defined: 24x7)"),
        ("tickets:\n  policies:\n    - {name: p}\n", "c.yaml:3:7: tickets.policies[0]: a policy needs at least one of first_response, next_reply, resolution"),
    ])
    func slaErrors(text: String, expected: String) throws {
        let root = try ConfigDocument.parse(text, file: "c.yaml")
        let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
        #expect(error?.description == expected)
    }

    @Test("bad values are located")
    func errors() throws {
        let root = try ConfigDocument.parse("listen: nowhere\n", file: "c.yaml")
        let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
        #expect(error?.description == "c.yaml:1:9: listen: expected HOST:PORT, e.g. 127.0.0.1:7400")
    }

    @Test("the ingest budget is read, must hold two largest batches, and grows with max_body_bytes")
    func ingestBudget() throws {
        let set = try CollectorConfiguration.parse(ConfigDocument.parse("ingest_budget_bytes: 67108864\n", file: "c.yaml"))
        #expect(set.ingestBudgetBytes == 64 << 20)
        let grown = try CollectorConfiguration.parse(ConfigDocument.parse("max_body_bytes: 200000000\n", file: "c.yaml"))
        #expect(grown.ingestBudgetBytes == 400_000_000)
        let root = try ConfigDocument.parse("max_body_bytes: 1048576\ningest_budget_bytes: 2000000\n", file: "c.yaml")
        let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
        #expect(error?.description == "c.yaml:2:22: ingest_budget_bytes: must be at least twice max_body_bytes (2097152), so that a largest batch always fits")
    }
}

