import Logging
import ServiceLifecycle

/// Keeps the rollup rows ingest sets aside few (``HistoryStore/compactRollups(nowMs:)``): every replica
/// runs it, since a replica that does not lead still ingests; the store makes concurrent calls safe
/// (PostgreSQL: one replica compacts at a time, the others skip).
struct RollupCompactor: Service {
    let store: any HistoryStore
    /// Time between passes. Default one second: on PostgreSQL the deltas of a second of ingest.
    var every: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    _ = try await store.compactRollups(nowMs: WallClock.nowMs())
                    if failing { logger.notice("compacting rollups works again") }
                    failing = false
                } catch {
                    // Logged once per failing spell: the store's own health reports say the rest.
                    if !Task.isCancelled && !failing { logger.error("compacting rollups failed", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: every)
            }
        }
    }
}
