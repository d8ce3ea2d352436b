import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VigilAgent
import VigilCollector
import VigilConfig

/// `vigil quickstart`: a collector on embedded SQLite, a demo target that fails on a schedule, and an
/// agent probing both, in one process. Ctrl-C stops all three cleanly.
struct QuickstartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Run a collector, an agent and a demo target on this machine.",
        discussion: """
            Data goes to --data-dir (default ./vigil-data). The agent's config is written there as
            quickstart-agent.yaml so you can see what an agent config looks like. From a second terminal
            in the same folder:
              vigil status
              vigil uptime demo --window 10m
            With another --listen or --data-dir, the banner prints the export line that points the CLI
            at this run.
            """
    )

    @Option(help: "Data directory.")
    var dataDir = "./vigil-data"

    @Option(help: "Collector address, HOST:PORT.")
    var listen = "127.0.0.1:7400"

    @Option(help: "Port for the demo target (on the collector's host).")
    var demoPort = 7401

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func run() async throws {
        guard let address = HostPort(listen) else { throw ValidationError("--listen expects HOST:PORT") }
        var logger = Logger(label: "vigil.quickstart")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice

        var collectorConfiguration = CollectorConfiguration()
        collectorConfiguration.host = address.host
        collectorConfiguration.port = address.port
        collectorConfiguration.dataDirectory = dataDir
        collectorConfiguration.catalog = QuickstartSetup.demoCatalog()
        let collector = try await Collector(configuration: collectorConfiguration, logger: logger)

        let agentToken = try await QuickstartSetup.registerAgent(named: "quickstart", collector: collector)
        let agentConfigPath = try QuickstartSetup.writeAgentConfig(
            dataDir: dataDir, collector: "http://\(address.description)", demoURL: "http://\(address.host):\(demoPort)",
            token: agentToken
        )
        let agentConfiguration: AgentConfiguration
        do {
            agentConfiguration = try AgentConfiguration.load(path: agentConfigPath)
        } catch {
            throw CLIError(.usage, error.description)
        }
        let demo = DemoTarget()
        print(QuickstartSetup.banner(collector: address.description, dataDir: dataDir, agentConfig: agentConfigPath, demo: demo, demoPort: demoPort))
        fflush(nil)

        let group = ServiceGroup(configuration: .init(
            services: [
                collector,
                demo.application(host: address.host, port: demoPort, logger: logger),
                Agent(configuration: agentConfiguration, logger: logger),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        print("quickstart stopped; data kept in \(dataDir)")
    }
}
