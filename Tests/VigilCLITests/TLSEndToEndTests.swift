import Foundation
import Testing
import VigilAgent
import VigilCollector
import VigilConfig
import VigilTestSupport
import VigilWire
@testable import VigilCLI

/// The collector behind TLS, with and without client certificates, and an agent and the CLI reaching it.
@Suite("TLS on the collector")
struct TLSEndToEndTests {
    /// A collector with `tls` from `certificates` (server `server`, signed by `ca`).
    static func collector(_ certificates: TestCertificates, clientCertificates: ListenerTLS.ClientCertificates) async throws -> TestCollector {
        let server = try certificates.leaf("server", signedBy: "ca")
        let clientCA = try certificates.authority("clients-ca")
        return try await TestCollector { configuration in
            configuration.tls = ListenerTLS(
                certificateFile: server.certificateFile, keyFile: server.keyFile,
                clientCAFile: clientCertificates == .off ? nil : clientCA.certificateFile, clientCertificates: clientCertificates
            )
        }
    }

    static func agents(_ port: Int, token: String, _ tls: ClientTLSFiles?) async throws -> [AgentInfo] {
        try await CollectorClient(baseURL: "https://localhost:\(port)", token: token, tls: tls).get("/v1/agents", as: [AgentInfo].self)
    }

    @Test("mutual TLS: an agent with a client certificate ships; the CLI needs the CA and a certificate; others fail the handshake")
    func mutualTLS() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let harness = try await Self.collector(certificates, clientCertificates: .required)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("edge-tls")
        let ca = try certificates.authority("ca").certificateFile
        let client = try certificates.leaf("edge-tls", signedBy: "clients-ca")
        let rogue = try certificates.leaf("rogue", signedBy: "rogue-ca")
        try await withServices([harness.collector]) {
            let port = await harness.ports.port()
            let directory = certificates.directory.path
            var configuration = try AgentConfiguration.parse(ConfigDocument.parse("""
                collector: https://localhost:\(port)
                tls: {ca_file: ca.pem, cert_file: edge-tls.pem, key_file: edge-tls.key}
                token: \(token)
                batch: {max_delay: 100ms}
                checks:
                  - {name: self, service: collector, kind: tcp, target: "127.0.0.1:\(port)", interval: 100ms, timeout: 100ms}
                """, file: "agent.yaml"), relativeTo: directory)
            configuration.spool.directory = directory + "/spool"
            try await withServices([Agent(configuration: configuration)]) {
                try await Task.sleep(for: .seconds(1.5))
            }
            let admin = harness.collector.adminToken
            let mutual = ClientTLSFiles(caFile: ca, certificateFile: client.certificateFile, keyFile: client.keyFile)
            let agents = try await Self.agents(port, token: admin, mutual)
            #expect(agents.first?.heartbeats ?? 0 >= 3, "\(agents)")

            // Without a client certificate, with one from another CA, or without the collector's CA: no connection.
            await #expect(throws: CLIError.self) { _ = try await Self.agents(port, token: admin, ClientTLSFiles(caFile: ca)) }
            await #expect(throws: CLIError.self) {
                _ = try await Self.agents(port, token: admin, ClientTLSFiles(caFile: ca, certificateFile: rogue.certificateFile, keyFile: rogue.keyFile))
            }
            await #expect(throws: CLIError.self) {
                _ = try await Self.agents(port, token: admin, ClientTLSFiles(certificateFile: client.certificateFile, keyFile: client.keyFile))
            }
            // A certificate is not a token: the bearer token is still needed.
            await #expect(throws: CLIError.self) { _ = try await Self.agents(port, token: "vigil_adm_wrong", mutual) }
        }
    }

    @Test("a new certificate is served to new connections after a reload; files that do not load keep the old one")
    func reload() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let harness = try await Self.collector(certificates, clientCertificates: .off)
        defer { harness.directory.remove() }
        let contexts = try #require(harness.collector.tlsContexts)
        try await withServices([harness.collector]) {
            let port = await harness.ports.port()
            let admin = harness.collector.adminToken
            let oldCA = ClientTLSFiles(caFile: try certificates.authority("ca").certificateFile)
            let newCA = ClientTLSFiles(caFile: try certificates.authority("ca-2026").certificateFile)
            #expect(try await Self.agents(port, token: admin, oldCA).isEmpty)
            await #expect(throws: CLIError.self) { _ = try await Self.agents(port, token: admin, newCA) }

            // A half-written certificate: the reload is refused and the running one stays.
            let server = contexts.settings
            try "-----BEGIN CERTIFICATE-----\nMIIB".write(toFile: server.certificateFile, atomically: true, encoding: .utf8)
            #expect(throws: TLSSetupError.self) { try contexts.reload() }
            #expect(try await Self.agents(port, token: admin, oldCA).isEmpty)

            // Rotated to a certificate from another CA.
            let rotated = try certificates.leaf("server-2026", signedBy: "ca-2026")
            try FileManager.default.removeItem(atPath: server.certificateFile)
            try FileManager.default.removeItem(atPath: server.keyFile)
            try FileManager.default.copyItem(atPath: rotated.certificateFile, toPath: server.certificateFile)
            try FileManager.default.copyItem(atPath: rotated.keyFile, toPath: server.keyFile)
            try contexts.reload()
            #expect(try await Self.agents(port, token: admin, newCA).isEmpty)
            await #expect(throws: CLIError.self) { _ = try await Self.agents(port, token: admin, oldCA) }
        }
    }

    @Test("plain HTTP to a TLS listener gets no answer, and config mistakes name the file")
    func plainAndMistakes() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let harness = try await Self.collector(certificates, clientCertificates: .off)
        defer { harness.directory.remove() }
        try await withServices([harness.collector]) {
            let port = await harness.ports.port()
            await #expect(throws: CLIError.self) {
                _ = try await CollectorClient(baseURL: "http://127.0.0.1:\(port)", token: harness.collector.adminToken).get("/v1/agents", as: [AgentInfo].self)
            }
        }
        let server = try certificates.leaf("server", signedBy: "ca")
        let other = try certificates.leaf("other", signedBy: "ca")
        #expect(throws: ConfigError.self) {
            _ = try CollectorConfiguration.parse(ConfigDocument.parse("tls: {cert_file: \(server.certificateFile), key_file: \(other.keyFile)}\n", file: "c.yaml"))
        }
        do {
            _ = try CollectorConfiguration.parse(ConfigDocument.parse("tls:\n  cert_file: /nonexistent.pem\n  key_file: \(server.keyFile)\n", file: "c.yaml"))
            Issue.record("a missing certificate file must be refused")
        } catch {
            #expect("\(error)".contains("c.yaml:2"), "\(error)")
            #expect("\(error)".contains("/nonexistent.pem"), "\(error)")
        }
    }
}
