import Logging
import ServiceLifecycle

/// Keeps the rows ingest sets aside few: rollup deltas (``HistoryStore/compactRollups(nowMs:)``) and
/// outage changes (``OutageStore/compactOutageChanges()``). Every replica runs it, since a replica that
/// does not lead still ingests; the store makes concurrent calls safe (PostgreSQL: one replica moves
/// each kind at a time, the others skip).
struct DeltaCompactor: Service {
    let store: any HistoryStore & OutageStore
    /// Time between passes. Default one second: on PostgreSQL what a second of ingest appended.
    var every: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    _ = try await store.compactRollups(nowMs: WallClock.nowMs())
                    _ = try await store.compactOutageChanges()
                    if failing { logger.notice("compacting rollups and outage changes works again") }
                    failing = false
                } catch {
                    // Logged once per failing spell: the store's own health reports say the rest.
                    if !Task.isCancelled && !failing {
                        logger.error("compacting rollups or outage changes failed", metadata: ["error": "\(error)"])
                    }
                    failing = true
                }
                try await Task.sleep(for: every)
            }
        }
    }
}
