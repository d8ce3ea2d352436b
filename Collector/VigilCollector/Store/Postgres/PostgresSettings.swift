import Foundation
import VigilConfig

/// How the collector reaches PostgreSQL (DESIGN §9), from `storage.postgres` or `--storage postgres://…`.
///
/// The URL follows libpq: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE&sslrootcert=FILE`.
/// Every network step has a deadline, so a wrong password or a dead server is a clear error within
/// seconds, never a hang.
public struct PostgresSettings: Sendable, Equatable {
    /// How TLS is used, named as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without verifying its certificate (libpq's default).
        case prefer
        /// TLS required, certificate not verified.
        case require
        /// TLS required, certificate chain verified against `sslrootcert` (or the system roots), any host name.
        case verifyCA = "verify-ca"
        /// TLS required, chain and host name verified.
        case verifyFull = "verify-full"
    }

    /// Server host. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Server port. Default 5432.
    public var port: Int = 5432
    /// Role to log in as. Default `vigil`.
    public var username: String = "vigil"
    /// Its password, if the server asks for one.
    public var password: String?
    /// Database name. Default `vigil`.
    public var database: String = "vigil"
    /// TLS use. Default `prefer`.
    public var tlsMode: TLSMode = .prefer
    /// PEM file with the CA certificates to trust for `verify-ca` / `verify-full`; default the system roots.
    public var rootCertificatePath: String?
    /// Largest number of pooled connections per collector. Default 16.
    public var maxConnections: Int = 16
    /// Limit for opening a connection, in ms. Default 5 s.
    public var connectTimeoutMs: Int64 = 5_000
    /// Limit for one store operation (waiting for a connection included), in ms; the server also cancels
    /// statements running longer (`statement_timeout`). Default 30 s.
    public var queryTimeoutMs: Int64 = 30_000

    public init() {}

    /// Settings from a `postgres://` (or `postgresql://`) URL; throws a message naming what is wrong.
    public init(url text: String) throws(PostgresSettingsError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw PostgresSettingsError("expected a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL, got \"\(Self.redacted(text))\"")
        }
        if let host = components.host, !host.isEmpty { self.host = host }
        if let port = components.port {
            guard (1...65_535).contains(port) else { throw PostgresSettingsError("port \(port) is out of range") }
            self.port = port
        }
        if let user = components.user, !user.isEmpty { username = user.removingPercentEncoding ?? user }
        if let secret = components.password { password = secret.removingPercentEncoding ?? secret }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if !path.isEmpty { database = path.removingPercentEncoding ?? path }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw PostgresSettingsError(
                        "sslmode \"\(value)\" is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                tlsMode = mode
            case "sslrootcert": rootCertificatePath = value
            case "connect_timeout":
                guard let seconds = Int64(value), seconds > 0 else {
                    throw PostgresSettingsError("connect_timeout must be a whole number of seconds, got \"\(value)\"")
                }
                connectTimeoutMs = seconds * 1_000
            case "application_name": break
            default:
                throw PostgresSettingsError("unknown URL parameter \"\(item.name)\" (known: sslmode, sslrootcert, connect_timeout)")
            }
        }
    }

    /// `host:port/database as user`, for messages (never the password).
    public var displayName: String { "\(host):\(port)/\(database) as \(username)" }

    /// The URL with any password replaced by `***`, for messages and logs.
    public static func redacted(_ url: String) -> String { Redaction.url(url) }
}

/// A `storage.postgres` setting that cannot be used.
public struct PostgresSettingsError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
