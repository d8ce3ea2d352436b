import Logging
import ServiceLifecycle

/// Deletes per-minute rollups past their retention once an hour, so a year of data stays cheap: hour and
/// day rollups and state intervals remain (DESIGN §9).
struct RollupPruner: Service {
    let store: any HistoryStore
    /// How long minute rows are kept, in ms.
    let retentionMs: Int64
    /// Time between passes. Default one hour.
    var every: Duration = .seconds(3_600)
    let logger: Logger
    /// Pruning runs only on the leader. Default: always (a lone collector).
    var leadership = Leadership(leading: true)

    func run() async throws {
        // Graceful shutdown cancels the sleep; that is the normal way out, not an error.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    guard leadership.isLeader else {
                        try await Task.sleep(for: .seconds(5))
                        continue
                    }
                    let removed = try await store.pruneMinuteRollups(before: WallClock.nowMs() - retentionMs)
                    if removed > 0 { logger.info("pruned minute rollups", metadata: ["rows": "\(removed)"]) }
                } catch {
                    if !Task.isCancelled { logger.error("pruning minute rollups failed", metadata: ["error": "\(error)"]) }
                }
                try await Task.sleep(for: every)
            }
        }
    }
}
