import ArgumentParser
import VigilWire

/// `vigil silences add|list|remove`
struct SilencesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silences",
        abstract: "Silence alerts: matching events are recorded but not delivered while the silence lasts.",
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a silence (at least one matcher).",
            discussion: """
                Examples:
                  vigil silences add --service api --duration 2h --reason "known issue, vendor fixing"
                  vigil silences add --type outage.opened --severity page --start 2026-11-28T22:00:00Z --end 2026-11-29T02:00:00Z
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Option(help: "Only events of this service.")
        var service: String?

        @Option(help: "Only events of this type (outage.opened, outage.resolved, ...).")
        var type: String?

        @Option(help: "Only events of this severity (page, ticket, info).")
        var severity: String?

        @Option(help: "Start, ISO 8601 (default now).")
        var start: String?

        @Option(help: "End, ISO 8601.")
        var end: String?

        @Option(help: "Length instead of --end: 30m, 2h.")
        var duration: String?

        @Option(help: "Why (shown in vigil alerts).")
        var reason: String?

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if service == nil && type == nil && severity == nil { throw ValidationError("give at least one of --service, --type, --severity") }
            if (end == nil) == (duration == nil) { throw ValidationError("give exactly one of --end or --duration") }
        }

        func run() async throws {
            let body = SilenceInfo(service: service, type: type, severity: severity, start: start, end: end, duration: duration, reason: reason)
            let silence = try await connection.client().post("/v1/silences", body: body, as: SilenceInfo.self)
            print(json ? try JSONOutput.render(silence) : "added silence \(silence.id ?? "?") until \(silence.end ?? "?")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List silences that have not ended.")

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let silences = try await connection.client().get("/v1/silences", as: [SilenceInfo].self)
            if json { return print(try JSONOutput.render(silences)) }
            if silences.isEmpty { return print("no silences") }
            var table = Table("ID", "SERVICE", "TYPE", "SEVERITY", "FROM", "UNTIL", "REASON")
            for silence in silences {
                table.add(
                    silence.id ?? "-", silence.service ?? "*", silence.type ?? "*", silence.severity ?? "*", silence.start ?? "-",
                    silence.end ?? "-", silence.reason ?? ""
                )
            }
            print(table.render())
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a silence.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The silence's id (from vigil silences list).")
        var id: String

        func run() async throws {
            try await connection.client().delete("/v1/silences/\(URLText.pathSegment(id))")
            print("removed silence \(id)")
        }
    }
}
