import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// The agent: probes its checks on schedule and ships the heartbeats to the collector.
///
/// Run it in a `ServiceGroup`; on graceful shutdown (SIGTERM, Ctrl-C) it stops probing and flushes
/// what is queued before returning.
public struct Agent: Service {
    /// The configuration in force.
    public let configuration: AgentConfiguration
    private let logger: Logger

    public init(configuration: AgentConfiguration, logger: Logger = Logger(label: "vigil.agent")) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        // Everything that can fail comes first, before any client needs shutting down.
        let spool = try Spool(configuration: configuration.spool, logger: logger)
        let definitions = configuration.checks.enumerated().map { index, check in check.definition(id: UInt32(index + 1)) }
        let registry = try CheckRegistry.update(directory: configuration.spool.directory, current: definitions)
        let spooled = await spool.pendingCount + (await spool.inflight?.count ?? 0)

        let probeClients = ProbeClients(for: configuration.checks)
        let shipClient = Self.makeShipClient()
        let entries = zip(configuration.checks, definitions).map { check, definition in
            Scheduler.Entry(definition: definition, probe: Self.probe(for: check, clients: probeClients))
        }
        let sessionID = Self.newSessionID()
        let scheduler = Scheduler(entries: entries, spool: spool, logger: logger, limiter: ProbeLimiter(limit: configuration.maxConcurrentProbes))
        let shipper = Shipper(
            configuration: configuration, spool: spool, client: shipClient,
            registry: registry, sessionID: sessionID, logger: logger
        )
        logger.notice("agent started", metadata: [
            "name": "\(configuration.name)", "collectors": "\(configuration.collectorURLs.joined(separator: ", "))",
            "checks": "\(entries.count)", "session": "\(sessionID)", "spool": "\(configuration.spool.directory)",
            "spooled": "\(spooled)",
        ])
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await cancelWhenGracefulShutdown { await scheduler.run() }
            }
            group.addTask { await shipper.run() }
        }
        await probeClients.shutdown()
        try? await shipClient.shutdown()
        logger.notice("agent stopped")
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
    /// collector is immediate; the shipper's own backoff does the retrying.
    static func makeShipClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
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
