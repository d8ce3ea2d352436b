import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals
import VigilConfig
import VigilCore

/// The agent: probes its checks on schedule and ships the heartbeats to the collector.
///
/// Run it in a `ServiceGroup`; on graceful shutdown (SIGTERM, Ctrl-C) it stops probing and flushes
/// what is spooled before returning. With a `reloader`, SIGHUP re-reads the configuration: checks that
/// did not change keep running, the spool is kept, and a configuration with mistakes is refused (the
/// running one stays).
public struct Agent: Service {
    /// The configuration it starts with.
    public let configuration: AgentConfiguration
    private let logger: Logger
    private let reloader: (@Sendable () throws -> AgentConfiguration)?

    /// - Parameter reloader: reads the configuration again on SIGHUP; `nil` ignores SIGHUP.
    public init(
        configuration: AgentConfiguration,
        logger: Logger = Logger(label: "vigil.agent"),
        reloader: (@Sendable () throws -> AgentConfiguration)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.reloader = reloader
    }

    public func run() async throws {
        // Everything that can fail comes first, before any client needs shutting down.
        let spool = try Spool(configuration: configuration.spool, logger: logger)
        let registry = try CheckRegistry.update(directory: configuration.spool.directory, current: configuration.checks.map { $0.definition(id: 0) })
        let spooled = await spool.pendingCount + (await spool.inflight?.count ?? 0)

        let shipClient = try Self.makeShipClient(tls: configuration.collectorTLS)
        let probeClients = ClientSet()
        let settings = LiveSettings(configuration: configuration, registry: registry)
        let sessionID = Self.newSessionID()
        let metrics = configuration.metricsAddress.map { _ in AgentMetrics() }
        let clock = StampClock(thresholdMs: configuration.clockStepThresholdMs, onStep: { [logger] reading in
            logger.warning("the wall clock stepped; heartbeats follow it from now on and carry the step so the collector can place them", metadata: [
                "step_ms": "\(reading.stepMs ?? 0)", "clock_adjust_ms": "\(reading.adjustMs)",
            ])
            metrics?.clockStep(milliseconds: reading.stepMs ?? 0)
        })
        let scheduler = Scheduler(
            spool: spool, logger: logger, limiter: ProbeLimiter(limit: configuration.maxConcurrentProbes), metrics: metrics, clock: clock
        )
        let shipper = Shipper(settings: settings, spool: spool, client: shipClient, sessionID: sessionID, logger: logger, metrics: metrics, clock: clock)
        let (updates, updateSink) = AsyncStream.makeStream(of: [Scheduler.Entry].self)
        logger.notice("agent started", metadata: [
            "name": "\(configuration.name)", "collectors": "\(configuration.collectorURLs.joined(separator: ", "))",
            "checks": "\(configuration.checks.count)", "session": "\(sessionID)", "spool": "\(configuration.spool.directory)",
            "spooled": "\(spooled)",
        ])
        let initial = Self.entries(for: configuration, clients: probeClients.add(for: configuration.checks))
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await cancelWhenGracefulShutdown { await scheduler.run(initial, updates: updates) }
            }
            group.addTask { await shipper.run() }
            if let metrics, let address = configuration.metricsAddress {
                let server = MetricsServer(host: address.host, port: address.port, metrics: metrics, logger: logger)
                group.addTask {
                    do {
                        try await cancelWhenGracefulShutdown { try await server.run() }
                    } catch {
                        logger.error("cannot serve metrics", metadata: ["address": "\(address.host):\(address.port)", "error": "\(error)"])
                    }
                }
            }
            if let reloader {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) {
                            guard let entries = self.reload(reloader, settings: settings, clients: probeClients) else { continue }
                            updateSink.yield(entries)
                        }
                    }
                }
            }
        }
        updateSink.finish()
        await probeClients.shutdown()
        try? await shipClient.shutdown()
        logger.notice("agent stopped")
    }

    /// Reads the configuration again; the entries to run now, or `nil` when it was refused.
    func reload(
        _ reloader: @Sendable () throws -> AgentConfiguration, settings: LiveSettings, clients: ClientSet
    ) -> [Scheduler.Entry]? {
        let fresh: AgentConfiguration
        do {
            fresh = try reloader()
        } catch {
            logger.error("configuration not reloaded; the running one stays", metadata: ["error": "\(error)"])
            return nil
        }
        let current = settings.configuration
        if fresh.spool != current.spool || fresh.maxConcurrentProbes != current.maxConcurrentProbes || fresh.collectorTLS != current.collectorTLS {
            logger.warning("spool, max_concurrent_probes and tls changes take effect at the next start")
        }
        var applied = fresh
        applied.spool = current.spool
        applied.maxConcurrentProbes = current.maxConcurrentProbes
        applied.collectorTLS = current.collectorTLS
        do {
            let registry = try CheckRegistry.update(directory: current.spool.directory, current: applied.checks.map { $0.definition(id: 0) })
            settings.update(configuration: applied, registry: registry)
        } catch {
            logger.error("configuration not reloaded: cannot save check definitions", metadata: ["error": "\(error)"])
            return nil
        }
        logger.notice("configuration reloaded", metadata: ["checks": "\(applied.checks.count)"])
        return Self.entries(for: applied, clients: clients.add(for: applied.checks))
    }

    static func entries(for configuration: AgentConfiguration, clients: ProbeClients) -> [Scheduler.Entry] {
        configuration.checks.map { check in
            Scheduler.Entry(check: check, definition: check.definition(id: 0), probe: probe(for: check, clients: clients))
        }
    }

    static func probe(for check: CheckConfiguration, clients: ProbeClients) -> any Probe {
        let probe = baseProbe(for: check, clients: clients)
        guard let threshold = check.degradedAfterMs else { return probe }
        return LatencyThreshold(probe: probe, thresholdMs: threshold)
    }

    static func baseProbe(for check: CheckConfiguration, clients: ProbeClients) -> any Probe {
        switch check.kind {
        case .http(let options):
            return HTTPProbe(options: options, timeoutMs: check.timeoutMs, client: clients.client(for: options))
        case .tcp(let host, let port, let send, let expect):
            return TCPProbe(host: host, port: port, timeoutMs: check.timeoutMs, send: send, expect: expect)
        case .command(let argv):
            return CommandProbe(argv: argv, timeoutMs: check.timeoutMs)
        case .tls(let options):
            return TLSCertificateProbe(options: options, timeoutMs: check.timeoutMs)
        case .dns(let options):
            return DNSProbe(options: options, timeoutMs: check.timeoutMs)
        case .icmp(let host, let count):
            return ICMPProbe(host: host, count: count, timeoutMs: check.timeoutMs)
        }
    }

    /// The client for shipping: a refused connection fails at once so that failover to the next
    /// collector is immediate; the shipper's own backoff does the retrying. With `tls`, `https://`
    /// collectors are verified against its CA and shown its client certificate.
    static func makeShipClient(tls: ClientTLSFiles?) throws(ClientTLSError) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        if let tls { configuration.tlsConfiguration = try tls.configuration() }
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// Every set of probe clients created (one per load of the configuration), so all are shut down at the
/// end while checks that survived a reload keep the clients they started with.
final class ClientSet: Sendable {
    private let sets = Mutex<[ProbeClients]>([])

    /// Creates clients for `checks` and remembers them.
    func add(for checks: [CheckConfiguration]) -> ProbeClients {
        let clients = ProbeClients(for: checks)
        sets.withLock { $0.append(clients) }
        return clients
    }

    func shutdown() async {
        for clients in sets.withLock({ $0 }) { await clients.shutdown() }
    }
}
