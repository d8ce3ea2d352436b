import NIOSSL
import VigilConfig

/// TLS on the collector's listener. Without it the collector speaks plain HTTP (fine on 127.0.0.1 or
/// behind a terminating proxy).
///
/// ```yaml
/// tls:
///   cert_file: /etc/vigil/collector.pem      # certificate chain in PEM, leaf first
///   key_file: /etc/vigil/collector.key       # its private key in PEM
///   client_ca_file: /etc/vigil/clients-ca.pem  # optional: verify client certificates against this CA
///   client_certificates: required            # off | optional | required (default: required with a client CA)
/// ```
///
/// SIGHUP reads the files again: new connections get the new certificate, open ones keep theirs, and a
/// pair that does not load is refused with a log line while the old one stays in use.
public struct ListenerTLS: Sendable, Hashable {
    /// Whether clients (agents, the CLI) must present a certificate signed by ``clientCAFile``.
    public enum ClientCertificates: String, Sendable, Hashable {
        /// Not asked for.
        case off
        /// Verified when presented; connections without one are still served.
        case optional
        /// Every connection must present a valid one (mutual TLS); others fail the handshake.
        case required
    }

    /// The server certificate chain, PEM.
    public var certificateFile: String
    /// The server's private key, PEM.
    public var keyFile: String
    /// CA certificates that client certificates must chain to. Default none.
    public var clientCAFile: String?
    /// Default `.required` when ``clientCAFile`` is set, `.off` otherwise.
    public var clientCertificates: ClientCertificates

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil, clientCertificates: ClientCertificates? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
        self.clientCertificates = clientCertificates ?? (clientCAFile == nil ? .off : .required)
    }

    static let keys: Set<String> = ["tls"]

    /// Reads the files and builds a server context; errors name the file and what is wrong, never key bytes.
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw TLSSetupError("cannot read a PEM certificate chain from \(certificateFile): \(error)")
        }
        guard !chain.isEmpty else { throw TLSSetupError("\(certificateFile) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw TLSSetupError("cannot read a PEM private key from \(keyFile)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        if clientCertificates != .off {
            guard let clientCAFile else { throw TLSSetupError("client_certificates: \(clientCertificates.rawValue) needs client_ca_file") }
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCAFile))
            } catch {
                throw TLSSetupError("cannot read CA certificates from \(clientCAFile): \(error)")
            }
            configuration.certificateVerification = clientCertificates == .required ? .noHostnameVerification : .optionalVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError("\(certificateFile) and \(keyFile) do not make a TLS context (does the key match the certificate?): \(error)")
        }
    }

    /// The `tls:` section, checked by loading the files, so mistakes show at start with their line.
    static func parse(_ root: ConfigObject) throws(ConfigError) -> ListenerTLS? {
        guard let section = root.optional("tls") else { return nil }
        let fields = try section.object(allowedKeys: ["cert_file", "key_file", "client_ca_file", "client_certificates"])
        let mode: ClientCertificates?
        if let value = fields.optional("client_certificates") {
            let text = try value.string()
            guard let parsed = ClientCertificates(rawValue: text) else { throw value.error("expected off, optional or required") }
            mode = parsed
        } else {
            mode = nil
        }
        let settings = ListenerTLS(
            certificateFile: try fields.required("cert_file").nonEmptyString(),
            keyFile: try fields.required("key_file").nonEmptyString(),
            clientCAFile: try fields.optional("client_ca_file")?.nonEmptyString(),
            clientCertificates: mode
        )
        do {
            _ = try settings.makeContext()
        } catch {
            throw section.error(error.message)
        }
        return settings
    }
}

/// TLS files that do not make a usable server context.
public struct TLSSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
