import ArgumentParser
import Foundation
import VigilCore

/// The operator CLI.
public struct Vigil: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Vigil: availability, SLAs and tickets in one place.",
        discussion: """
            Talks to a collector's JSON API (--collector or VIGIL_COLLECTOR, default http://127.0.0.1:7400)
            with an admin token (--token or VIGIL_TOKEN, default ./vigil-data/admin.token).

            Examples:
              vigil quickstart                    run a collector, an agent and a demo target here
              vigil status                        every service, its state and the last 24 hours
              vigil uptime api --month 2026-10 --explain   one service against its SLA
              vigil report --month 2026-10 --format markdown
              vigil outages --open
              vigil tickets --open --at-risk
              vigil tickets import tickets.csv
              vigil maintenance add api --start 2026-11-28T02:00:00Z --duration 2h
              vigil agents add web-01             register an agent; prints its token
              vigil slo export > slos.yaml        the SLAs as OpenSLO v1

            Exit status: 0 success, 1 the collector refused, 2 an import with bad rows, 64 bad input,
            69 collector unreachable, 77 no token or not allowed. Shell completions:
              vigil --generate-completion-script bash > /etc/bash_completion.d/vigil   (also zsh, fish)
            """,
        version: VigilVersion.current,
        subcommands: [
            StatusCommand.self, UptimeCommand.self, ReportCommand.self, OutagesCommand.self, TicketsCommand.self, AlertsCommand.self, SilencesCommand.self, HooksCommand.self, MaintenanceCommand.self,
            AgentsCommand.self, TokensCommand.self, ReplicasCommand.self, SLOCommand.self, QuickstartCommand.self,
        ]
    )

    public init() {}
}

extension Vigil {
    /// Parses the process arguments and runs the chosen command (the executable's whole `main`).
    public static func runAsRoot() async {
        // The quickstart runs a collector and an agent in this process: their logs carry names agents chose.
        EscapingLogHandler.bootstrap()
        do {
            if let refusal = UnknownCommand.refusal(Array(CommandLine.arguments.dropFirst()), names: UnknownCommand.names(of: Vigil.self)) {
                throw refusal
            }
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            Foundation.exit(error.exitStatus)
        } catch {
            exit(withError: error)
        }
    }
}
