import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import VigilTestSupport
@testable import VigilAgent

/// A TLS server on 127.0.0.1 whose certificate (for `localhost`, signed by a throwaway CA) expires in
/// five days.
struct ExpiringTLSServer {
    let certificates: TestCertificates
    let channel: Channel
    var port: Int { channel.localAddress!.port! }
    var caFile: String { certificates.directory.path + "/ca.pem" }

    static func start(days: Int = 5) async throws -> ExpiringTLSServer {
        let certificates = try TestCertificates()
        let leaf = try certificates.leaf("leaf", signedBy: "ca", days: days, names: "DNS:localhost")
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(leaf.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: leaf.keyFile, format: .pem))
        )
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ExpiringTLSServer(certificates: certificates, channel: channel)
    }

    func stop() async {
        try? await channel.close()
        certificates.remove()
    }
}

@Suite("TLS certificate checks")
struct TLSCertificateTests {
    func options(_ server: ExpiringTLSServer, _ configure: (inout TLSCheckOptions) -> Void) -> TLSCheckOptions {
        var options = TLSCheckOptions(host: "127.0.0.1", port: server.port)
        options.serverName = "localhost"
        options.caFile = server.caFile
        configure(&options)
        return options
    }

    @Test("days left against the warning and critical numbers, with a verified chain")
    func daysLeft() async throws {
        let server = try await ExpiringTLSServer.start(days: 5)
        let warning = await TLSCertificateProbe(options: options(server) { $0.criticalDays = 3 }, timeoutMs: 3_000).run()
        #expect(warning.status == .degraded, "\(warning.message)")
        #expect(warning.code == 4)
        #expect(warning.message.hasPrefix("certificate expires in 4 days ("))
        let critical = await TLSCertificateProbe(options: options(server) { $0.criticalDays = 7 }, timeoutMs: 3_000).run()
        #expect(critical.status == .down)
        let fine = await TLSCertificateProbe(options: options(server) { $0.warningDays = 2; $0.criticalDays = 1 }, timeoutMs: 3_000).run()
        #expect(fine.status == .up)
        await server.stop()
    }

    @Test("a chain that does not verify is down; without verification only the days count")
    func invalidChain() async throws {
        let server = try await ExpiringTLSServer.start(days: 60)
        let systemRoots = await TLSCertificateProbe(options: options(server) { $0.caFile = nil }, timeoutMs: 3_000).run()
        #expect(systemRoots.status == .down)
        #expect(systemRoots.message.hasPrefix("certificate invalid: "), "\(systemRoots.message)")
        let wrongName = await TLSCertificateProbe(options: options(server) { $0.serverName = "example.org" }, timeoutMs: 3_000).run()
        #expect(wrongName.status == .down)
        let unverified = await TLSCertificateProbe(options: options(server) { $0.caFile = nil; $0.verify = false }, timeoutMs: 3_000).run()
        #expect(unverified.status == .up, "\(unverified.message)")
        #expect(unverified.code == 59)
        await server.stop()
    }

    @Test("an expired certificate is down with its date")
    func expired() {
        let result = TLSCertificateProbe.judge(notValidAfter: 1_700_000_000, now: Date(timeIntervalSince1970: 1_700_100_000),
                                               options: TLSCheckOptions(host: "x"), latencyUs: 1)
        #expect(result.status == .down)
        #expect(result.message == "certificate expired on 2023-11-14")
    }

    @Test("a port that does not speak TLS is down")
    func notTLS() async throws {
        let result = await TLSCertificateProbe(options: TLSCheckOptions(host: "127.0.0.1", port: 1), timeoutMs: 1_000).run()
        #expect(result.status == .down)
        #expect(result.message == "connect refused")
    }
}
