import Foundation
import Logging

/// The admin token kept in `DATA_DIR/admin.token` (mode 0600): created on first start so that an
/// operator on the same machine can use the CLI at once.
enum AdminTokenFile {
    /// Makes sure the file exists and its token is registered; returns the token.
    static func ensure(in directory: String, store: any CredentialStore, logger: Logger) async throws -> String {
        let path = (directory as NSString).appendingPathComponent("admin.token")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !existing.isEmpty {
            try await store.addAPIToken(hash: Tokens.hash(existing), name: "admin.token", scope: .admin, nowMs: WallClock.nowMs())
            if try await store.apiTokenScope(hash: Tokens.hash(existing)) == nil {
                // Revoked on purpose: a revoked token is never brought back, not even from this file.
                logger.warning("the token in admin.token was revoked; use another admin token, or delete the file to get a new one on the next start",
                    metadata: ["path": "\(path)"])
            }
            return existing
        }
        let token = Tokens.generate(prefix: "vigil_adm_")
        guard FileManager.default.createFile(
            atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]
        ) else {
            throw StoreError(.unavailable, "cannot write the admin token to \(path)")
        }
        try await store.addAPIToken(hash: Tokens.hash(token), name: "admin.token", scope: .admin, nowMs: WallClock.nowMs())
        logger.notice("created an admin token", metadata: ["path": "\(path)"])
        return token
    }
}
