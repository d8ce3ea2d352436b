import Foundation
import Logging

/// `vigil-collector rebuild-outages`: derives every service's stored outages again from its intervals,
/// over its whole history, and raises no alert. For a store whose outages were lost or edited by
/// hand; a running collector can stay up (its next derivations start from what this wrote).
public enum OutageRepair {
    /// Opens the store the configuration names, rebuilds, closes it.
    public static func run(configuration: CollectorConfiguration, logger: Logger) async throws -> OutageTracker.RebuildSummary {
        let store: any Store
        let close: @Sendable () async -> Void
        switch configuration.storage {
        case .sqlite:
            store = try SQLiteStore(path: (configuration.dataDirectory as NSString).appendingPathComponent("vigil.sqlite"))
            close = {}
        case .postgres(let settings):
            let postgres = try await PostgresStore.open(settings, logger: logger)
            store = postgres
            close = { await postgres.close() }
        }
        do {
            let tracker = OutageTracker(store: store, catalog: configuration.catalog, settings: configuration.alerts, logger: logger)
            let summary = try await tracker.rebuild(nowMs: WallClock.nowMs())
            await close()
            return summary
        } catch {
            await close()
            throw error
        }
    }
}
