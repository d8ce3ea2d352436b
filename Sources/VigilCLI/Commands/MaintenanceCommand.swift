import ArgumentParser
import VigilWire

/// `vigil maintenance add|list|remove`
struct MaintenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Plan maintenance windows: excluded from eligible time, no outage alerts.",
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a one-off or weekly maintenance window.",
            discussion: """
                Examples:
                  vigil maintenance add api --start 2026-11-28T02:00:00Z --duration 2h --reason "db upgrade"
                  vigil maintenance add '*' --weekly "sun 02:00-04:00" --time-zone Europe/Berlin --reason patching
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "Service name, or * for every service.")
        var service: String

        @Option(help: "Start, ISO 8601.")
        var start: String?

        @Option(help: "End, ISO 8601.")
        var end: String?

        @Option(help: "Length instead of --end: 30m, 2h.")
        var duration: String?

        @Option(help: "Weekly local hours: \"sun 02:00-04:00\", \"mon-fri 22:00-23:00\".")
        var weekly: String?

        @Option(help: "Time zone of --weekly (default UTC).")
        var timeZone: String?

        @Option(help: "Why (shown in reports).")
        var reason: String?

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if weekly == nil && start == nil { throw ValidationError("give --start with --end or --duration, or --weekly") }
            if weekly != nil && (start != nil || end != nil || duration != nil) {
                throw ValidationError("--weekly cannot be combined with --start, --end or --duration")
            }
            if start != nil && (end == nil) == (duration == nil) { throw ValidationError("give exactly one of --end or --duration") }
        }

        func run() async throws {
            let body = MaintenanceCreate(
                service: service, start: start, end: end, duration: duration, weekly: weekly, timeZone: timeZone, reason: reason
            )
            let created = try await connection.client().post("/v1/maintenance", body: body, as: MaintenanceInfo.self)
            print(json ? try JSONOutput.render(created) : "added maintenance window \(created.id): " + List.describe(created))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List maintenance windows (config and added).")

        @OptionGroup var connection: ConnectionOptions

        @Option(help: "Only windows covering this service.")
        var service: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let query: [(String, String)] = service.map { [("service", $0)] } ?? []
            let windows = try await connection.client().get("/v1/maintenance" + query.queryString, as: [MaintenanceInfo].self)
            if json { return print(try JSONOutput.render(windows)) }
            if windows.isEmpty { return print("no maintenance windows") }
            var table = Table("ID", "SERVICE", "WHEN", "REASON", "SOURCE")
            for window in windows { table.add(window.id, window.service, Self.when(window), window.reason, window.source) }
            print(table.render())
        }

        static func when(_ window: MaintenanceInfo) -> String {
            if let weekly = window.weekly { return "weekly \(weekly) \(window.timeZone ?? "UTC")" }
            return "\(window.start ?? "?") → \(window.end ?? "?")"
        }

        static func describe(_ window: MaintenanceInfo) -> String {
            "\(window.service) \(when(window))" + (window.reason.isEmpty ? "" : " (\(window.reason))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a maintenance window added with `add`.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The window's id (from `vigil maintenance list`).")
        var id: String

        func run() async throws {
            try await connection.client().delete("/v1/maintenance/\(URLText.pathSegment(id))")
            print("removed maintenance window \(id)")
        }
    }
}
