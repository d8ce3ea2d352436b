#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import VigilCore

/// What a TLS certificate check looks at.
public struct TLSCheckOptions: Sendable, Hashable {
    /// Host to connect to.
    public var host: String
    /// Port. Default 443.
    public var port: Int
    /// Name for SNI and hostname verification. Default: `host` unless it is an IP address.
    public var serverName: String?
    /// Fewer days left than this is `degraded`. Default 30.
    public var warningDays: Int = 30
    /// Fewer days left than this is `down`. Default 7.
    public var criticalDays: Int = 7
    /// Verify the chain (and the name). Default `true`.
    public var verify = true
    /// PEM CA certificates to trust instead of the system's.
    public var caFile: String?

    public init(host: String, port: Int = 443) {
        self.host = host
        self.port = port
    }
}

/// Checks a TLS server's leaf certificate: down when the chain does not verify or fewer than
/// `criticalDays` remain, degraded under `warningDays`, up otherwise. The detail code is the number of
/// whole days left.
public struct TLSCertificateProbe: Probe {
    /// What to check.
    public var options: TLSCheckOptions
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64

    public init(options: TLSCheckOptions, timeoutMs: Int64) {
        self.options = options
        self.timeoutMs = timeoutMs
    }

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            // First the certificate itself, whatever its chain; then, when asked, a verifying handshake.
            let leaf = try await handshake(verify: false)
            let latency = (clock.now - start).microseconds
            guard let leaf else { return ProbeResult(status: .down, latencyUs: latency, message: "server sent no certificate") }
            if options.verify {
                do {
                    _ = try await handshake(verify: true)
                } catch {
                    return ProbeResult(status: .down, latencyUs: latency, message: "certificate invalid: \(Self.describe(error))")
                }
            }
            return Self.judge(notValidAfter: Int64(leaf.notValidAfter), now: Date(), options: options, latencyUs: latency)
        } catch {
            let latency = (clock.now - start).microseconds
            return ProbeResult(status: .down, latencyUs: latency, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }

    /// The verdict for a leaf that expires at `notValidAfter` (seconds since the epoch).
    static func judge(notValidAfter: Int64, now: Date, options: TLSCheckOptions, latencyUs: UInt32) -> ProbeResult {
        let secondsLeft = Double(notValidAfter) - now.timeIntervalSince1970
        let days = Int((secondsLeft / 86_400).rounded(.down))
        let expiryDay = notValidAfter >= 0 ? notValidAfter / 86_400 : (notValidAfter - 86_399) / 86_400
        let expiry = CivilDate(daysSinceEpoch: expiryDay).description
        if secondsLeft <= 0 {
            return ProbeResult(status: .down, latencyUs: latencyUs, code: Int32(clamping: days), message: "certificate expired on \(expiry)")
        }
        let text = "certificate expires in \(days) day\(days == 1 ? "" : "s") (\(expiry))"
        if days < options.criticalDays { return ProbeResult(status: .down, latencyUs: latencyUs, code: Int32(days), message: text) }
        if days < options.warningDays { return ProbeResult(status: .degraded, latencyUs: latencyUs, code: Int32(days), message: text) }
        return ProbeResult(status: .up, latencyUs: latencyUs, code: Int32(clamping: days), message: text)
    }

    /// Connects and completes a TLS handshake; returns the peer's leaf certificate.
    private func handshake(verify: Bool) async throws -> NIOSSLCertificate? {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verify ? .fullVerification : .none
        if let caFile = options.caFile { tls.trustRoots = .file(caFile) }
        let context = try NIOSSLContext(configuration: tls)
        let serverName = options.serverName ?? (Self.isIPAddress(options.host) ? nil : options.host)
        let options = self.options
        return try await withTimeout(milliseconds: timeoutMs) { [timeoutMs] in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(timeoutMs))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                        try sync.addHandler(HandshakeWatcher(done: channel.eventLoop.makePromise()))
                    }
                }
                .connect(host: options.host, port: options.port).get()
            do {
                try await channel.pipeline.handler(type: HandshakeWatcher.self).flatMap { $0.done.futureResult }.get()
                let leaf = try await channel.nioSSL_peerCertificate().get()
                try? await channel.close()
                return leaf
            } catch {
                try? await channel.close()
                throw error
            }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func describe(_ error: any Error) -> String {
        if let ssl = error as? NIOSSLError, case .handshakeFailed(let reason) = ssl {
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "chain does not verify (unknown issuer, self-signed or expired)" }
            return text
        }
        if let ssl = error as? NIOSSLExtraError { return "\(ssl)" }
        return "\(error)"
    }
}

/// Completes a promise when the TLS handshake finishes, fails it on an error, an early close, or when
/// the handler goes away (a failed connect) — so the promise is always completed exactly once.
private final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    /// Completed once; only touched on the channel's event loop.
    let done: EventLoopPromise<Void>
    private var completed = false

    init(done: EventLoopPromise<Void>) { self.done = done }

    private func complete(_ result: Result<Void, any Error>) {
        guard !completed else { return }
        completed = true
        done.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { complete(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.ioOnClosedChannel))
    }
}
