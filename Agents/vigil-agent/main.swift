import ArgumentParser
import Logging
import ServiceLifecycle
import VigilAgent

/// `vigil-agent --config FILE`
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-agent",
        abstract: "Probes service endpoints and ships heartbeats to a Vigil collector.",
        discussion: "SIGTERM or Ctrl-C stop probing and flush queued heartbeats before exiting."
    )

    @Option(help: "YAML configuration file.")
    var config: String

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(path: config)
        } catch {
            throw StartupError(message: error.description)
        }
        var logger = Logger(label: "vigil.agent")
        logger.logLevel = logLevel
        let group = ServiceGroup(configuration: .init(
            services: [Agent(configuration: configuration, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A configuration problem reported as `Error: file:line:column: reason`, without the usage text.
struct StartupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
