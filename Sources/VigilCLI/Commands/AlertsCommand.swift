import ArgumentParser
import VigilWire

/// `vigil alerts [--open] [--since T] [--json]`
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alert history with delivery states, newest first.",
        discussion: """
            Examples:
              vigil alerts --open          outages opened and not yet resolved
              vigil alerts --since 7d --json
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Only outages opened and not yet resolved.")
    var open = false

    @Option(help: "Since an ISO 8601 time or a duration back from now (default 30d).")
    var since: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        var query: [(String, String)] = []
        if open { query.append(("open", "true")) }
        if let since { query.append(("since", since)) }
        let alerts = try await connection.client().getAll("/v1/alerts" + query.queryString, as: [AlertInfo].self)
        if json { return print(try JSONOutput.render(alerts)) }
        if alerts.isEmpty { return print(open ? "no open alerts" : "no alerts") }
        var table = Table("CREATED", "TYPE", "SEVERITY", "SERVICE", "DELIVERIES", "SUMMARY")
        for alert in alerts {
            let deliveries = alert.silencedBy.map { "silenced (\($0))" } ?? (alert.deliveries.isEmpty ? "no hook routed" : alert.deliveries.map { delivery in
                "\(delivery.hook): \(delivery.state)" + (delivery.attempts > 1 ? " after \(delivery.attempts) attempts" : "")
                    + (delivery.state != "delivered" && !delivery.lastError.isEmpty ? " (\(delivery.lastError))" : "")
            }.joined(separator: "; "))
            table.add(alert.createdAt, alert.type, alert.severity, alert.service ?? "-", deliveries, alert.summary)
        }
        print(table.render())
    }
}

/// `vigil hooks test NAME`
struct HooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Alert hooks.",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a test event to a hook and show the receiver's answer.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The hook's name in the collector config.")
        var name: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let path = "/v1/hooks/\(URLText.pathSegment(name))/test"
            let result = try await connection.client().post(path, body: [String: String](), as: HookTestResult.self)
            if json { return print(try JSONOutput.render(result)) }
            let verdict = result.delivered ? "delivered" : "NOT delivered"
            print("hook \(result.hook): \(verdict) — receiver answered \(result.answer) in \(Format.fixed(result.milliseconds, digits: 0)) ms")
            if !result.delivered { throw ExitCode(1) }
        }
    }
}
