import VigilCore
import ArgumentParser
import VigilWire

/// `vigil outages [list] [--service S] [--open] [--since T] [--json]` and `vigil outages show ID`.
struct OutagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outages",
        abstract: "Outages and the tickets they caused.",
        subcommands: [OutagesList.self, OutagesShow.self],
        defaultSubcommand: OutagesList.self
    )
}

/// `vigil outages show ID`
struct OutagesShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One outage: its figures, the tickets linked to it, those still open, organisations affected."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The outage id (SERVICE:START_MS, from vigil outages).")
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let detail = try await connection.client().get("/v1/outages/\(URLText.pathSegment(id))", as: OutageDetailInfo.self)
        if json { return print(try JSONOutput.render(detail)) }
        var text = OutageTable.render([detail.outage])
        text += "\n\n\(detail.tickets.count) linked ticket\(detail.tickets.count == 1 ? "" : "s"), \(detail.openTickets) still open"
        if !detail.organisations.isEmpty { text += "; organisations affected: " + Escaping.terminal(detail.organisations.joined(separator: ", ")) }
        if !detail.tickets.isEmpty { text += "\n" + TicketText.table(detail.tickets) }
        print(text)
    }
}

/// `vigil outages [list]`
struct OutagesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List outages, newest first.",
        discussion: """
            An outage runs from the first failure of the confirming streak to the first success of the
            recovering one. COUNTED is its down time inside eligible time (calendar minus maintenance).

            Examples:
              vigil outages --open
              vigil outages --service api --since 7d
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only this service.")
    var service: String?

    @Flag(help: "Only outages still going on.")
    var open = false

    @Option(help: "Since an ISO 8601 time or a duration back from now (default 30d).")
    var since: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        var query: [(String, String)] = []
        if let service { query.append(("service", service)) }
        if open { query.append(("open", "true")) }
        if let since { query.append(("since", since)) }
        let outages = try await connection.client().getAll("/v1/outages" + query.queryString, as: [OutageInfo].self)
        if json {
            print(try JSONOutput.render(outages))
        } else if outages.isEmpty {
            print(open ? "no open outages" : "no outages")
        } else {
            print(OutageTable.render(outages))
        }
    }
}
