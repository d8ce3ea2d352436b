import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The collector: store, admin token and HTTP server, run as one `Service`.
///
/// Opening happens in `init` (database migrated, admin token written), so a caller can register agents
/// before the server starts; ``run()`` serves until graceful shutdown.
public struct Collector: Service {
    /// The configuration in force.
    public let configuration: CollectorConfiguration
    /// The store behind it.
    public let store: any Store
    /// The admin token from `DATA_DIR/admin.token`.
    public let adminToken: String
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// Opens the data directory (created if missing) and its SQLite store.
    ///
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public init(
        configuration: CollectorConfiguration,
        logger: Logger = Logger(label: "vigil.collector"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.unavailable, "cannot create data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("vigil.sqlite")
        store = try SQLiteStore(path: path)
        adminToken = try await AdminTokenFile.ensure(in: configuration.dataDirectory, store: store, logger: logger)
    }

    /// Serves HTTP until the surrounding `ServiceGroup` shuts down.
    public func run() async throws {
        let router = CollectorRouter.build(store: store, configuration: configuration)
        let logger = self.logger
        let onListening = self.onListening
        let dataDirectory = configuration.dataDirectory
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vigil-collector"),
            services: [
                RollupPruner(store: store, retentionMs: configuration.minuteRollupRetentionMs, logger: logger),
                AlertEvaluator(store: store, catalog: configuration.catalog, settings: configuration.alerts, logger: logger),
                AlertDispatcher(store: store, settings: configuration.alerts, logger: logger),
            ],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.notice("collector listening", metadata: [
                    "address": "\(channel.localAddress?.description ?? "?")",
                    "admin_token": "\((dataDirectory as NSString).appendingPathComponent("admin.token"))",
                ])
                await onListening(port)
            },
            logger: logger
        )
        try await app.run()
    }
}
