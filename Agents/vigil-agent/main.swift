import ArgumentParser
import Dispatch
import Logging
import ServiceLifecycle
import UnixSignals
import VigilAgent
import VigilCore
import VigilConfig

// The command runs on the concurrency pool while the main thread waits for it. An `async` main would
// hand the main thread to `dispatch_main()`, which ends it with `pthread_exit`: a forced unwind that, in
// the statically linked agent, makes libgcc read and sort every unwind table of the binary, about 3 MB
// of resident memory kept for nothing (issue 3: the agent's footprint).
@main
enum AgentMain {
    static func main() {
        // Probe messages (banners, error texts) come from the probed servers: the log escapes them.
        EscapingLogHandler.bootstrap()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await AgentCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

/// `vigil-agent [run] --config FILE`, `vigil-agent once --config FILE`, `vigil-agent check-config --config FILE`.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-agent",
        abstract: "Probes service endpoints and ships heartbeats to a Vigil collector.",
        subcommands: [Run.self, Once.self, CheckConfig.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the agent (the default).",
            discussion: """
                SIGTERM or Ctrl-C stop probing and flush spooled heartbeats before exiting; what is left stays in \
                the spool. SIGHUP reloads the configuration: unchanged checks keep running; a file with mistakes \
                is refused and the running configuration stays.
                """
        )

        @Option(help: "YAML configuration file.")
        var config: String

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel: Logger.Level = .info

        func run() async throws {
            let configuration = try loadConfiguration(config)
            var logger = Logger(label: "vigil.agent")
            logger.logLevel = logLevel
            let group = ServiceGroup(configuration: .init(
                services: [Agent(configuration: configuration, logger: logger, reloader: { [config] in try loadConfiguration(config) })],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            ))
            try await group.run()
        }
    }

    struct Once: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every check once and print what each saw; nothing is shipped.",
            discussion: """
                Exits 0 when every check is up or degraded, 1 otherwise. Needs no collector or token: a file \
                with only checks will do (collector, token and token_file are still checked when given).
                """
        )

        @Option(help: "YAML configuration file.")
        var config: String

        func run() async throws {
            let lines = await OnceRun.run(try loadConfiguration(config, for: .probingOnly))
            print(OnceRun.render(lines))
            if !OnceRun.allAvailable(lines) { throw ExitCode(1) }
        }
    }

    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate a configuration file; prints FILE:LINE:COLUMN: reason and exits non-zero when it is wrong."
        )

        @Option(help: "YAML configuration file.")
        var config: String

        func run() throws {
            let configuration = try loadConfiguration(config)
            print("\(config): OK (\(configuration.checks.count) checks, collector \(configuration.collectorURLs.joined(separator: ", ")), spool \(configuration.spool.directory))")
        }
    }
}

func loadConfiguration(_ path: String, for use: AgentConfiguration.Use = .shipping) throws -> AgentConfiguration {
    do {
        return try AgentConfiguration.load(path: path, for: use)
    } catch {
        throw StartupError(message: error.description)
    }
}

/// A configuration problem reported as `Error: file:line:column: reason`, without the usage text.
struct StartupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
