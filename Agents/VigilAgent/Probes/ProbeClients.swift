import AsyncHTTPClient
import NIOHTTPCompression
import NIOSSL

/// The HTTP clients the probes use: one per distinct redirect/TLS setting, each opening a new connection
/// per request so that every probe measures connecting too.
public struct ProbeClients: Sendable {
    private let clients: [HTTPClientKey: HTTPClient]

    /// Creates the clients the given checks need.
    public init(for checks: [CheckConfiguration]) {
        var clients: [HTTPClientKey: HTTPClient] = [:]
        for check in checks {
            guard case .http(let options) = check.kind, clients[options.clientKey] == nil else { continue }
            clients[options.clientKey] = Self.makeClient(options.clientKey)
        }
        self.clients = clients
    }

    /// The client for an HTTP check's options.
    func client(for options: HTTPCheckOptions) -> HTTPClient {
        clients[options.clientKey]!
    }

    /// Shuts every client down.
    public func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
    }

    static func makeClient(_ key: HTTPClientKey) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.maximumUsesPerConnection = 1
        // A probe reports what one attempt saw; AsyncHTTPClient would otherwise retry a refused
        // connection until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = key.followRedirects > 0
            ? .follow(max: key.followRedirects, allowCycles: false) : .disallow
        configuration.decompression = .enabled(limit: .size(HTTPProbe.maxBodyBytes * 4))
        var tls = TLSConfiguration.makeClientConfiguration()
        if !key.tlsVerify { tls.certificateVerification = .none }
        if let caFile = key.caFile { tls.trustRoots = .file(caFile) }
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
