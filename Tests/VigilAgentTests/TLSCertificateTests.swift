import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import VigilTestSupport
@testable import VigilAgent

/// A TLS server on 127.0.0.1 whose certificate (for `localhost`, signed by a throwaway CA) expires in
/// five days, made with the openssl command line.
struct ExpiringTLSServer {
    let directory: TemporaryDirectory
    let channel: Channel
    var port: Int { channel.localAddress!.port! }
    var caFile: String { directory.path + "/ca.pem" }

    static func start(days: Int = 5) async throws -> ExpiringTLSServer {
        let directory = try TemporaryDirectory("tls")
        let script = """
            set -e
            cd '\(directory.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 365 -subj /CN=VigilTestCA 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=localhost 2>/dev/null
            printf 'subjectAltName=DNS:localhost\\n' > ext.cnf
            openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days \(days) -extfile ext.cnf 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "openssl failed")
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(file: directory.path + "/leaf.pem", format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(file: directory.path + "/leaf.key", format: .pem))
        )
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ExpiringTLSServer(directory: directory, channel: channel)
    }

    func stop() async {
        try? await channel.close()
        directory.remove()
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
