import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
import VigilAgent
import VigilCollector
import VigilConfig
import VigilTestSupport
import VigilWire
@testable import VigilCLI

/// Secrets go in, and are then looked for everywhere a person or a scraper can see: every log line of
/// the collector and the agent at trace level, every read API answer, every error answer, and the
/// agent's /metrics.
@Suite("Secrets stay secret")
struct SecretsAuditTests {
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
    }

    static func fetch(_ url: String, token: String?, method: HTTPMethod = .GET) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return "\(response.status.code) \(response.headers) \(String(buffer: body))"
    }

    @Test("tokens, hook secrets and probe credentials never reach logs, API answers, errors or metrics")
    func audit() async throws {
        let recorder = LogRecorder()
        let hookSecret = "hook-hmac-SECRET-4711"
        let hookURLSecret = "hook-url-SECRET-0815"
        // Slack, Mattermost and Discord carry the webhook's secret in the path.
        let hookPathSecret = "hook-path-SECRET-2342"
        let probePassword = "probe-PASSWORD-1234"
        let probeKey = "probe-APIKEY-5678"
        let wrongToken = "vigil_adm_WRONG-SECRET-9999"
        let harness = try await TestCollector(logger: recorder.logger("vigil.collector")) { configuration in
            var hook = HookConfiguration(name: "ops", url: "http://127.0.0.1:1/hook?token=\(hookURLSecret)")
            hook.secret = hookSecret
            hook.timeoutMs = 1_000
            var chat = HookConfiguration(name: "chat", url: "http://127.0.0.1:1/services/T0/B0/\(hookPathSecret)")
            chat.kind = .chat
            chat.timeoutMs = 1_000
            configuration.alerts.hooks = [hook, chat]
        }
        defer { harness.directory.remove() }
        let agentToken = try await harness.addAgent("edge")
        let metricsPort = try await Self.freePort()
        let seen = Collected()
        // The service groups log the services they start, with what they hold: record those lines too.
        try await withServices([harness.collector], logger: recorder.logger("vigil.services")) {
            let port = await harness.ports.port()
            let base = "http://127.0.0.1:\(port)"
            let admin = harness.collector.adminToken
            var configuration = try AgentConfiguration.parse(ConfigDocument.parse("""
                collector: \(base)
                token: \(agentToken)
                batch: {max_delay: 100ms}
                metrics: {listen: "127.0.0.1:\(metricsPort)"}
                checks:
                  - name: api
                    url: "http://probe:\(probePassword)@127.0.0.1:\(port)/healthz?api_key=\(probeKey)&page=1"
                    interval: 100ms
                    timeout: 100ms
                  - name: failing
                    url: "http://probe:\(probePassword)@127.0.0.1:1/down?token=\(probeKey)"
                    interval: 100ms
                    timeout: 100ms
                """, file: "agent.yaml"))
            configuration.spool.directory = harness.directory.path + "/spool"
            try await withServices([Agent(configuration: configuration, logger: recorder.logger("vigil.agent"))], logger: recorder.logger("vigil.services")) {
                try await Task.sleep(for: .seconds(1.5))
                seen.add(try await Self.fetch("http://127.0.0.1:\(metricsPort)/metrics", token: nil))
            }
            let readToken = try await CollectorClient(baseURL: base, token: admin)
                .post("/v1/tokens", body: TokenCreateRequest(name: "grafana", scope: "read"), as: TokenInfo.self).token ?? ""
            // Everything readable, with each kind of token; failures with wrong and missing tokens.
            for path in ["/v1/services", "/v1/agents", "/v1/tokens", "/v1/alerts", "/v1/report", "/v1/outages", "/v1/replicas", "/healthz", "/metrics"] {
                for token in [admin, readToken, agentToken, wrongToken, nil] as [String?] {
                    seen.add(try await Self.fetch(base + path, token: token))
                }
            }
            seen.add(try await Self.fetch(base + "/v1/hooks/ops/test", token: admin, method: .POST))
            seen.add(try await Self.fetch(base + "/v1/batches", token: wrongToken, method: .POST))
            seen.add(try await Self.fetch(base + "/v1/tokens/admin.token", token: admin, method: .DELETE))
            seen.add(readToken, secret: true)
        }
        let readToken = seen.secrets.first ?? ""
        let answers = seen.answers
        let services = try #require(answers.first { $0.hasPrefix("200") && $0.contains("\"checks\"") })
        #expect(services.contains("api_key=***"), "the target is still shown, with the secret masked: \(services.prefix(600))")
        #expect(recorder.count > 10)
        let everything = answers.joined(separator: "\n") + "\n" + recorder.text
        for secret in [harness.collector.adminToken, agentToken, readToken, hookSecret, hookURLSecret, hookPathSecret, probePassword, probeKey, wrongToken] {
            #expect(!secret.isEmpty)
            #expect(!everything.contains(secret), "a secret leaked: \(secret.prefix(12))…")
        }
    }
}

/// What the test saw, gathered from concurrent code.
final class Collected: Sendable {
    private let state = Mutex<(answers: [String], secrets: [String])>(([], []))
    func add(_ text: String, secret: Bool = false) {
        state.withLock { secret ? $0.secrets.append(text) : $0.answers.append(text) }
    }
    var answers: [String] { state.withLock { $0.answers } }
    var secrets: [String] { state.withLock { $0.secrets } }
}
