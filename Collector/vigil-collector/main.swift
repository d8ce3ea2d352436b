import ArgumentParser
import Logging
import ServiceLifecycle
import VigilCollector
import VigilConfig

/// `vigil-collector [--config FILE] [--data-dir DIR] [--listen HOST:PORT]`
@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-collector",
        abstract: "Receives heartbeat batches from Vigil agents and serves availability.",
        discussion: """
            Starts on embedded SQLite in the data directory. On first start it writes an admin token to
            DATA_DIR/admin.token for the vigil CLI. SIGTERM or Ctrl-C stop it gracefully.
            """
    )

    @Option(help: "YAML configuration file.")
    var config: String?

    @Option(help: "Data directory (default ./vigil-data).")
    var dataDir: String?

    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:7400).")
    var listen: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var configuration = CollectorConfiguration()
        if let config {
            do {
                configuration = try CollectorConfiguration.load(path: config)
            } catch {
                throw StartupError(message: error.description)
            }
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let listen {
            guard let address = HostPort(listen) else { throw ValidationError("--listen expects HOST:PORT, got \"\(listen)\"") }
            configuration.host = address.host
            configuration.port = address.port
        }
        var logger = Logger(label: "vigil.collector")
        logger.logLevel = logLevel
        let collector = try await Collector(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [collector], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
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
