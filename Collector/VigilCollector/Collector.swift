import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// The collector: store, admin token and HTTP server, run as one `Service`.
///
/// Opening happens in `init` (database migrated, admin token written), so a caller can register agents
/// before the server starts; ``run()`` serves until graceful shutdown. On PostgreSQL any number of
/// collectors share the store: each ingests and serves reads, and the one holding the leader lock
/// evaluates alerts, delivers them and prunes rollups.
public struct Collector: Service {
    /// The configuration in force.
    public let configuration: CollectorConfiguration
    /// The store behind it.
    public let store: any Store
    /// The admin token from `DATA_DIR/admin.token`.
    public let adminToken: String
    /// Whether this replica leads now.
    public let leadership: Leadership
    /// Closes the store's connections when the server stops (PostgreSQL's pool; nothing for SQLite).
    private let closeStore: @Sendable () async -> Void
    /// What batch requests hold in memory together (``CollectorConfiguration/ingestBudgetBytes``).
    public let ingestBudget: IngestBudget
    /// This process, as listed in `GET /v1/replicas`.
    public let identity: ReplicaIdentity
    /// The collector's own counters, served at `/metrics`.
    public let metrics = CollectorMetrics()
    /// Whether the store takes writes (`/healthz`, `vigil_collector_store_up`).
    public let storeHealth: StoreHealth
    /// The listener's TLS context when ``CollectorConfiguration/tls`` is set; SIGHUP reloads it.
    public let tlsContexts: TLSContextHolder?
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// Opens the data directory (created if missing) and the store: SQLite in the data directory, or
    /// PostgreSQL (connected and migrated) as `configuration.storage` says.
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
        storeHealth = StoreHealth(logger: logger)
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.unavailable, "cannot create data directory \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        let catalog = configuration.catalog
        let feed = OutageFeed { catalog.policy(for: $0).confirmation.successThreshold }
        switch configuration.storage {
        case .sqlite:
            let metrics = self.metrics
            let sqlite = try SQLiteStore(
                path: (configuration.dataDirectory as NSString).appendingPathComponent("vigil.sqlite"),
                onCommit: { metrics.committed(batches: $0) }, outageFeed: feed
            )
            store = sqlite
            leadership = Leadership(leading: true)
            // A clean stop writes what ingest held, so the next start has no journal to replay.
            closeStore = { [logger] in
                do {
                    let written = try await sqlite.writeHeld()
                    logger.info("wrote what was held behind the batches", metadata: ["checks": "\(written)"])
                } catch {
                    logger.warning("cannot write what was held behind the batches; the next start replays it", metadata: ["error": "\(error)"])
                }
            }
        case .postgres(let settings):
            let postgres = try await PostgresStore.open(settings, logger: logger, outageFeed: feed)
            store = postgres
            leadership = Leadership(leading: false)
            closeStore = { await postgres.close() }
        }
        identity = ReplicaIdentity(address: "\(configuration.host):\(configuration.port)")
        if let tls = configuration.tls {
            tlsContexts = try TLSContextHolder(settings: tls)
        } else {
            tlsContexts = nil
        }
        ingestBudget = IngestBudget(limitBytes: configuration.ingestBudgetBytes)
        adminToken = try await AdminTokenFile.ensure(in: configuration.dataDirectory, store: store, logger: logger)
    }

    /// Serves HTTP until the surrounding `ServiceGroup` shuts down.
    public func run() async throws {
        let router = CollectorRouter.build(
            store: store, configuration: configuration, leadership: leadership, ingestBudget: ingestBudget, metrics: metrics,
            storeHealth: storeHealth
        )
        let logger = self.logger
        let onListening = self.onListening
        let dataDirectory = configuration.dataDirectory
        let identity = self.identity
        let host = configuration.host
        let lock: any LeaderLock = switch configuration.storage {
        case .sqlite: SoleLeaderLock()
        case .postgres(let settings): PostgresLeaderLock(settings: settings, logger: logger)
        }
        var services: [any Service] = [
            LeaderElection(
                lock: lock, leadership: leadership, store: store, identity: identity,
                every: .milliseconds(configuration.leaderCheckEveryMs), logger: logger
            ),
            RollupPruner(store: store, retentionMs: configuration.minuteRollupRetentionMs, logger: logger, leadership: leadership),
            DeltaCompactor(store: store, logger: logger),
            AlertEvaluator(
                store: store, catalog: configuration.catalog, settings: configuration.alerts, logger: logger, leadership: leadership,
                minuteRollupRetentionMs: configuration.minuteRollupRetentionMs, settleMs: configuration.maxClockSkewMs
            ),
            OutageTracker(store: store, catalog: configuration.catalog, settings: configuration.alerts, logger: logger, leadership: leadership),
            AlertDispatcher(store: store, settings: configuration.alerts, logger: logger, leadership: leadership, wake: store.outageFeed),
        ]
        if let tlsContexts { services.append(TLSReloader(contexts: tlsContexts, logger: logger)) }
        let scheme = tlsContexts == nil ? "http" : "https"
        let connectionGate = ConnectionGate(
            limits: configuration.connections, max: FileLimit.connectionCap(configuration.connections.max, logger: logger),
            metrics: metrics, logger: logger
        )
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(gate: connectionGate)],
            idleTimeout: .milliseconds(configuration.connections.idleTimeoutMs)
        )
        let app = Application(
            router: router,
            server: tlsContexts.map { HTTPServerBuilder.reloadableTLS($0, configuration: http1) } ?? .http1(configuration: http1),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vigil-collector"),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                identity.listening(on: "\(host):\(port)")
                logger.notice("collector listening", metadata: [
                    "address": "\(channel.localAddress?.description ?? "?")", "scheme": "\(scheme)",
                    "admin_token": "\((dataDirectory as NSString).appendingPathComponent("admin.token"))",
                ])
                await onListening(port)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            await closeStore()
            throw error
        }
        await closeStore()
    }
}
