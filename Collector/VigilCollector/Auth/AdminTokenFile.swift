import Foundation
import Logging

/// The admin token kept in `DATA_DIR/admin.token` (mode 0600): created on first start so that an
/// operator on the same machine can use the CLI at once.
enum AdminTokenFile {
    /// Makes sure the file exists and its token is registered; returns the token.
    static func ensure(in directory: String, store: any Store, logger: Logger) async throws -> String {
        let path = (directory as NSString).appendingPathComponent("admin.token")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !existing.isEmpty {
            try await store.addAdminToken(hash: Tokens.hash(existing), note: "admin.token", nowMs: WallClock.nowMs())
            return existing
        }
        let token = Tokens.generate(prefix: "vigil_adm_")
        guard FileManager.default.createFile(
            atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]
        ) else {
            throw StoreError(.unavailable, "cannot write the admin token to \(path)")
        }
        try await store.addAdminToken(hash: Tokens.hash(token), note: "admin.token", nowMs: WallClock.nowMs())
        logger.notice("created an admin token", metadata: ["path": "\(path)"])
        return token
    }
}
