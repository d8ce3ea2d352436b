import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import Testing
import VigilTestSupport
@testable import VigilAgent

@Suite("HTTPS probes: verification on and off, custom CA")
struct HTTPSProbeTests {
    @Test("a server certificate from a private CA: trusted with ca_file, refused without, accepted with tls_verify off")
    func verification() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let leaf = try certificates.leaf("leaf", signedBy: "ca", days: 60)
        let caFile = try certificates.authority("ca").certificateFile
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(leaf.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: leaf.keyFile, format: .pem))
        )
        let router = Router()
        router.get("/health") { _, _ in "ok" }
        let ports = PortPromise()
        var logger = Logger(label: "vigil.test.https")
        logger.logLevel = .critical
        let app = Application(
            router: router, server: try .tls(tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await ports.callback($0.localAddress?.port ?? 0) }, logger: logger
        )
        try await withServices([app]) {
            let port = await ports.port()
            func probe(_ configure: (inout HTTPCheckOptions) -> Void) async -> ProbeResult {
                var options = HTTPCheckOptions(url: "https://localhost:\(port)/health")
                configure(&options)
                let client = ProbeClients.makeClient(options.clientKey)
                defer { client.shutdown { _ in } }
                return await HTTPProbe(options: options, timeoutMs: 3_000, client: client).run()
            }
            let trusted = await probe { $0.caFile = caFile }
            #expect(trusted.status == .up, "\(trusted.message)")
            let untrusted = await probe { _ in }
            #expect(untrusted.status == .down)
            #expect(!untrusted.message.isEmpty)
            let unverified = await probe { $0.tlsVerify = false }
            #expect(unverified.status == .up, "\(unverified.message)")
        }
    }
}
