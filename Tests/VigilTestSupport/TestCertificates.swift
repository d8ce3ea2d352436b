import Foundation

/// Throwaway certificate authorities and leaf certificates made with the openssl command line, in a
/// temporary directory: for TLS listeners, clients with certificates, and expiry checks.
public struct TestCertificates: Sendable {
    /// Where the files are.
    public let directory: TemporaryDirectory

    /// A certificate and its key, as PEM files.
    public struct Pair: Sendable {
        public let certificateFile: String
        public let keyFile: String
    }

    public init() throws {
        directory = try TemporaryDirectory("vigil-tls")
    }

    /// The CA named `name` (made on first use): `NAME.pem` and `NAME.key`.
    @discardableResult
    public func authority(_ name: String) throws -> Pair {
        let pair = Pair(certificateFile: "\(directory.path)/\(name).pem", keyFile: "\(directory.path)/\(name).key")
        if !FileManager.default.fileExists(atPath: pair.certificateFile) {
            try run("openssl req -x509 -newkey rsa:2048 -nodes -keyout '\(pair.keyFile)' -out '\(pair.certificateFile)' -days 365 -subj '/CN=\(name)'")
        }
        return pair
    }

    /// A leaf certificate `NAME.pem`/`NAME.key` signed by the CA `authority`, valid for `days`, for the
    /// subject alternative names `names` (server and client use alike).
    @discardableResult
    public func leaf(_ name: String, signedBy authority: String, days: Int = 30, names: String = "DNS:localhost,IP:127.0.0.1") throws -> Pair {
        let ca = try self.authority(authority)
        let pair = Pair(certificateFile: "\(directory.path)/\(name).pem", keyFile: "\(directory.path)/\(name).key")
        let extensions = "\(directory.path)/\(name).ext"
        try "subjectAltName=\(names)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try run("""
            openssl req -newkey rsa:2048 -nodes -keyout '\(pair.keyFile)' -out '\(directory.path)/\(name).csr' -subj '/CN=\(name)' && \
            openssl x509 -req -in '\(directory.path)/\(name).csr' -CA '\(ca.certificateFile)' -CAkey '\(ca.keyFile)' -CAcreateserial \
              -out '\(pair.certificateFile)' -days \(days) -extfile '\(extensions)'
            """)
        return pair
    }

    /// Deletes the files.
    public func remove() { directory.remove() }

    private func run(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "(\(command)) >/dev/null 2>&1"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestCertificateError(command: command) }
    }
}

/// An openssl command that failed (is openssl installed?).
public struct TestCertificateError: Error, CustomStringConvertible {
    public let command: String
    public var description: String { "openssl failed: \(command)" }
}
