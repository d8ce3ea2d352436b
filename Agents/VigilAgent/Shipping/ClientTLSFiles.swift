import NIOSSL

/// TLS files a client uses to reach the collector over `https://`: a CA to verify the collector with
/// (instead of the system roots) and, for mutual TLS, a client certificate and key.
///
/// ```yaml
/// tls:
///   ca_file: /etc/vigil/collector-ca.pem   # verify the collector against this CA (default: system roots)
///   cert_file: /etc/vigil/agent.pem        # client certificate for mutual TLS (with key_file)
///   key_file: /etc/vigil/agent.key
/// ```
public struct ClientTLSFiles: Sendable, Hashable {
    /// CA certificates (PEM) the collector's certificate must chain to. Default nil: the system roots.
    public var caFile: String?
    /// A client certificate chain (PEM) presented to the collector. Default nil: none.
    public var certificateFile: String?
    /// The client certificate's private key (PEM).
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// A client configuration with full verification (chain and host name) and these files; errors
    /// name the file, never key bytes.
    public func configuration() throws(ClientTLSError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw ClientTLSError("cannot read CA certificates from \(caFile): \(error)")
            }
        }
        switch (certificateFile, keyFile) {
        case (nil, nil):
            break
        case (let certificateFile?, let keyFile?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            } catch {
                throw ClientTLSError("cannot read a PEM certificate chain from \(certificateFile): \(error)")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw ClientTLSError("cannot read a PEM private key from \(keyFile)")
            }
        default:
            throw ClientTLSError("a client certificate needs both cert_file and key_file")
        }
        return configuration
    }
}

/// Client TLS files that cannot be used.
public struct ClientTLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
