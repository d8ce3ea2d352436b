import Crypto
import Foundation

/// Creates and hashes bearer tokens. Tokens are 256 random bits; only their SHA-256 is stored, so a
/// leaked database does not leak working tokens.
public enum Tokens {
    /// A new random token with a readable prefix (`vigil_agt_…`, `vigil_adm_…`).
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    /// The stored form of a token: lowercase hex SHA-256.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// What a revoked agent's token hash is replaced with: never the SHA-256 of any token (not hex), and
    /// unique per agent and time, so the hash column stays unique.
    public static func revokedMarker(agent: String, nowMs: Int64) -> String {
        "revoked:\(nowMs):\(agent)"
    }

    /// Whether a stored token hash is a ``revokedMarker(agent:nowMs:)``.
    public static func isRevoked(storedHash: String) -> Bool {
        storedHash.hasPrefix("revoked:")
    }

    /// The token in an `Authorization: Bearer …` header value, if any.
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
