import ArgumentParser
import Logging
import ServiceLifecycle
import VigilCollector
import VigilConfig
import VigilCore

/// `vigil-collector [serve] [--config FILE] [--data-dir DIR] [--listen HOST:PORT] [--storage URL]`
/// `vigil-collector migrate [--dry-run]` and `vigil-collector rebuild-outages`.
@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-collector",
        abstract: "Receives heartbeat batches from Vigil agents and serves availability.",
        subcommands: [Serve.self, Migrate.self, RebuildOutages.self],
        defaultSubcommand: Serve.self
    )
}

/// Options shared by both subcommands: where the configuration and the data are.
struct StartOptions: ParsableArguments {
    @Option(help: "YAML configuration file.")
    var config: String?

    @Option(help: "Data directory (default ./vigil-data).")
    var dataDir: String?

    @Option(help: "Storage: sqlite (default) or postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=MODE.")
    var storage: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    /// The configuration file with the flags on top.
    func load() throws -> CollectorConfiguration {
        var configuration = CollectorConfiguration()
        if let config {
            do {
                configuration = try CollectorConfiguration.load(path: config)
            } catch {
                throw StartupError(message: error.description)
            }
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let storage {
            do {
                configuration.storage = try StorageSettings(argument: storage)
            } catch {
                throw ValidationError("--storage: \(error.message)")
            }
        }
        return configuration
    }

    func logger() -> Logger {
        var logger = Logger(label: "vigil.collector")
        logger.logLevel = logLevel
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the collector (the default).",
        discussion: """
            Starts on embedded SQLite in the data directory, or on PostgreSQL with --storage or storage.postgres
            in the config, where any number of collectors share the data and one leads alerting. On first
            start it writes an admin token to DATA_DIR/admin.token for the vigil CLI. SIGTERM or Ctrl-C stop it
            gracefully.
            """
    )

    @OptionGroup var options: StartOptions

    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:7400).")
    var listen: String?

    func run() async throws {
        // Names in log lines come from agents: every logger escapes them.
        EscapingLogHandler.bootstrap()
        MallocArenas.limitToCores()
        var configuration = try options.load()
        if let listen {
            guard let address = HostPort(listen) else { throw ValidationError("--listen expects HOST:PORT, got \"\(listen)\"") }
            configuration.host = address.host
            configuration.port = address.port
        }
        let logger = options.logger()
        let collector: Collector
        do {
            collector = try await Collector(configuration: configuration, logger: logger)
        } catch let error as StoreError {
            throw StartupError(message: error.message)
        }
        let group = ServiceGroup(configuration: .init(
            services: [collector], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the store's schema to this version, then exit.",
        discussion: """
            Collectors also migrate when they start; run this first to upgrade the schema once, ahead of a
            rolling restart. With --dry-run it only lists what is applied and what is pending.
            """
    )

    @OptionGroup var options: StartOptions

    @Flag(help: "List the migrations without applying any.")
    var dryRun = false

    func run() async throws {
        EscapingLogHandler.bootstrap()
        let configuration = try options.load()
        let status: StoreMigrations.Status
        do {
            status = try await StoreMigrations.run(
                storage: configuration.storage, dataDirectory: configuration.dataDirectory, dryRun: dryRun, logger: options.logger()
            )
        } catch let error as StoreError {
            throw StartupError(message: error.message)
        }
        print("store: \(status.engine)")
        print("applied: \(status.applied.isEmpty ? "none" : status.applied.joined(separator: ", "))")
        if status.pending.isEmpty {
            print("schema is up to date")
        } else if dryRun {
            print("pending: \(status.pending.joined(separator: ", "))")
        } else {
            print("migrated: \(status.pending.joined(separator: ", "))")
        }
    }
}

struct RebuildOutages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-outages",
        abstract: "Derive every service's stored outages again from its intervals, then exit.",
        discussion: """
            Outages are stored as they happen. This derives them all again over each service's whole history,
            the way a collector first does after an upgrade, and raises no alert. Use it after restoring or
            editing a store by hand; a running collector can stay up.
            """
    )

    @OptionGroup var options: StartOptions

    func run() async throws {
        EscapingLogHandler.bootstrap()
        let configuration = try options.load()
        let summary: OutageTracker.RebuildSummary
        do {
            summary = try await OutageRepair.run(configuration: configuration, logger: options.logger())
        } catch let error as StoreError {
            throw StartupError(message: error.message)
        }
        print("services: \(summary.services)")
        print("outages: \(summary.stored) (\(summary.added) added, \(summary.changed) changed, \(summary.removed) removed)")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A configuration or start-up problem reported as one line, without the usage text.
struct StartupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
