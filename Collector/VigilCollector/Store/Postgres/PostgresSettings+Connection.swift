import Logging
import NIOCore
import NIOSSL
import PostgresNIO

extension PostgresSettings {
    /// Server settings sent at log-in: the statement timeout, so the server cancels what the client
    /// would give up on, and a name that shows in `pg_stat_activity`.
    var startupParameters: [(String, String)] {
        [("statement_timeout", "\(queryTimeoutMs)"), ("application_name", "vigil-collector")]
    }

    /// The NIOSSL configuration `tlsMode` asks for.
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard tlsMode != .disable else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable: return nil
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let rootCertificatePath {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificatePath))
            } catch {
                throw StoreError(.unavailable, "cannot read sslrootcert \(rootCertificatePath): \(error)")
            }
        }
        return tls
    }

    /// A single connection's configuration (migrations, leader election).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch (tlsMode, try tlsConfiguration()) {
        case (.disable, _), (_, nil): tls = .disable
        case (.prefer, let config?): tls = .prefer(try NIOSSLContext(configuration: config))
        case (_, let config?): tls = .require(try NIOSSLContext(configuration: config))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.connectTimeout = .milliseconds(connectTimeoutMs)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The pool's configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch (tlsMode, try tlsConfiguration()) {
        case (.disable, _), (_, nil): tls = .disable
        case (.prefer, let config?): tls = .prefer(config)
        case (_, let config?): tls = .require(config)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        configuration.options.connectTimeout = .milliseconds(connectTimeoutMs)
        configuration.options.maximumConnections = maxConnections
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// Opens one connection within `connectTimeout`, or throws ``StoreError/Code/unavailable`` saying why.
    func connect(logger: Logger) async throws -> PostgresConnection {
        let configuration = try connectionConfiguration()
        let name = displayName
        do {
            return try await withDeadline(ms: connectTimeoutMs, "a connection to \(name)", late: { connection in
                Task { try? await connection.close() }
            }) {
                try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            }
        } catch {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL at \(name): \(describePostgresError(error))")
        }
    }
}
