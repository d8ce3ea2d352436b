#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Keeps secrets that users put in URLs out of what Vigil shows, stores and logs: check targets, error
/// messages, log lines.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "***"

    /// `url` with any password in its user part and the values of query parameters that look like
    /// secrets (`token`, `api_key`, `secret`, `password`, `signature`, …) replaced by ``mask``. Text that
    /// is not a URL comes back unchanged.
    public static func url(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil else { return url }
        var changed = false
        if components.password != nil {
            components.password = mask
            changed = true
        }
        if let items = components.queryItems, items.contains(where: { isSecretName($0.name) && $0.value != nil }) {
            components.queryItems = items.map { item in
                isSecretName(item.name) && item.value != nil ? URLQueryItem(name: item.name, value: mask) : item
            }
            changed = true
        }
        guard changed, let redacted = components.string else { return url }
        // URLComponents percent-encodes the mask; keep it readable.
        return redacted.replacing("%2A%2A%2A", with: mask)
    }

    /// A hook URL cut down to its scheme, host, port and first path segment, with `/***` for any further
    /// path and `?***` for any query: chat services (Slack, Mattermost, Discord) carry the webhook's
    /// secret in the path itself, where ``url(_:)`` cannot tell it from a route. User info is dropped.
    /// Text that is not a URL with a host comes back as ``mask``.
    public static func hookURL(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host,
            !host.isEmpty
        else { return mask }
        var shown = scheme + "://" + (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host) + (components.port.map { ":\($0)" } ?? "")
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: true)
        if let first = segments.first {
            shown += "/" + first
            if segments.count > 1 { shown += "/" + mask }
        }
        if components.percentEncodedQuery != nil { shown += "?" + mask }
        return shown
    }

    /// Whether a query parameter or header name usually carries a secret.
    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["key", "sig", "pwd", "pass", "code"].contains(lower) { return true }
        return ["token", "secret", "passw", "apikey", "api_key", "api-key", "auth", "signature", "credential", "session"]
            .contains { lower.contains($0) }
    }
}
