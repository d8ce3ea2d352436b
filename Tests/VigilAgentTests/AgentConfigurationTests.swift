import Testing
import VigilConfig
@testable import VigilAgent

@Suite("Agent configuration")
struct AgentConfigurationTests {
    func parse(_ yaml: String) throws -> AgentConfiguration {
        try AgentConfiguration.parse(ConfigDocument.parse(yaml, file: "agent.yaml"))
    }

    @Test("a full config reads with defaults filled in")
    func full() throws {
        let configuration = try parse("""
            collector: http://127.0.0.1:7400/
            token: vigil_agt_x
            name: web-01
            batch:
              max_heartbeats: 100
              max_delay: 2s
            checks:
              - name: api
                service: api
                url: http://127.0.0.1:8080/health
                interval: 10s
                expect_status: [200, "300-302"]
              - name: db
                kind: tcp
                target: 127.0.0.1:5432
            """)
        #expect(configuration.collectorURLs == ["http://127.0.0.1:7400"])
        #expect(configuration.batchMaxHeartbeats == 100)
        #expect(configuration.checks.count == 2)
        #expect(configuration.checks[0].timeoutMs == 10_000)
        #expect(configuration.checks[1].service == "db")
        #expect(configuration.checks[1].intervalMs == 30_000)
        guard case .http(let options) = configuration.checks[0].kind else { Issue.record("not http"); return }
        #expect(options.expectStatus.contains(301) && options.expectStatus.contains(200) && !options.expectStatus.contains(204))
        #expect(options.method == "GET" && options.followRedirects == 5 && options.tlsVerify)
    }

    @Test("several collectors are listed in order")
    func collectors() throws {
        let configuration = try parse("collector: [http://a:7400, https://b:7400/]\ntoken: t\nmax_concurrent_probes: 8\nchecks:\n  - name: x\n    url: http://y\n")
        #expect(configuration.collectorURLs == ["http://a:7400", "https://b:7400"])
        #expect(configuration.maxConcurrentProbes == 8)
    }

    @Test("a probing-only read (vigil-agent once) needs no collector or token, but checks them when given")
    func probingOnly() throws {
        let checksOnly = "checks:\n  - name: x\n    url: http://y\n"
        let configuration = try AgentConfiguration.parse(ConfigDocument.parse(checksOnly, file: "agent.yaml"), for: .probingOnly)
        #expect(configuration.checks.map(\.name) == ["x"])
        #expect(configuration.collectorURLs.isEmpty)
        #expect(configuration.token.isEmpty)
        // A run still needs both.
        #expect(throws: ConfigError.self) { try parse(checksOnly) }
        #expect(throws: ConfigError.self) { try AgentConfiguration.parse(ConfigDocument.parse("collector: ftp://x\n" + checksOnly, file: "agent.yaml"), for: .probingOnly) }
        #expect(throws: ConfigError.self) { try AgentConfiguration.parse(ConfigDocument.parse("token_file: /nonexistent/token\n" + checksOnly, file: "agent.yaml"), for: .probingOnly) }
        #expect(throws: ConfigError.self) { try AgentConfiguration.parse(ConfigDocument.parse("collector: http://x\n", file: "agent.yaml"), for: .probingOnly) }
    }

    @Test("mistakes are reported with line and reason", arguments: [
        ("collector: ftp://x\ntoken: t\nchecks: []\n", 1, "collector: expected an http"),
        ("collector: [http://a, ftp://b]\ntoken: t\nchecks: []\n", 1, "collector[1]: expected an http"),
        ("collector: http://x\nchecks:\n  - name: a\n    url: http://y\n", 1, "either token or token_file"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    interval: 5s\n    timeout: 10s\n", 7, "timeout must not be longer"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: smtp\n", 5, "unknown kind"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: tcp\n    target: nohost\n", 6, "expected HOST:PORT"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n  - name: a\n    url: http://z\n", 6, "duplicate check name"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    expect_status: [abc]\n", 6, "expected a status code"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    intervall: 5s\n", 6, "unknown key"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    body_regex: \"([a\"\n", 6, "invalid regular expression"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    json_equals: ok\n", 6, "needs json_path"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: tcp\n    target: h:1\n    url: http://y\n", 7, "not used by tcp checks"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    url: http://y\n    method: FETCH\n", 6, "expected GET"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: command\n    command: [/nonexistent/check]\n", 6, "is not an executable file"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: command\n    command: []\n", 6, "expected [program"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: dns\n    query: x\n    record: SRV\n", 7, "expected A, AAAA"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: dns\n    query: x\n    server: dns.example\n", 7, "expected an IP address"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: tls\n    target: h\n    warning_days: 5\n    critical_days: 9\n", 8, "must not be more than warning_days"),
        ("collector: http://x\ntoken: t\nchecks:\n  - name: a\n    kind: dns\n    query: x\n    url: http://y\n", 7, "not used by dns checks"),
    ])
    func errors(yaml: String, line: Int, fragment: String) {
        do {
            _ = try parse(yaml)
            Issue.record("accepted a bad config")
        } catch let error as ConfigError {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
