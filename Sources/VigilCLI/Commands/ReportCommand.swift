import ArgumentParser
import VigilWire

/// `vigil report --month 2026-10 [--format table|markdown|csv|json|html]`
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "SLA report for every service over a window.",
        discussion: """
            Each service is judged against its own SLA (target, calendar, time zone, method); calendar windows
            are read in each SLA's time zone. Without a window option, each SLA's current period. The ticket
            part (achievement per priority, breaches, satisfaction, each outage's tickets) covers tickets
            created in the window (default the last 30 days). CSV holds the service table only.

            Examples:
              vigil report --month 2026-10
              vigil report --quarter 2026-Q4 --format markdown > q4.md
              vigil report --month 2026-10 --format csv > october.csv
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, markdown, csv, json, html
    }

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var window: WindowOptions

    @Option(help: "Output: table, markdown, csv, json or html.")
    var format: OutputFormat = .table

    /// `--format json`: both halves.
    struct FullReport: Encodable {
        var services: [SLAReportInfo]
        var tickets: TicketReportInfo
    }

    func run() async throws {
        let client = try connection.client()
        let reports = try await client.getAll("/v1/report" + window.query.queryString, as: [SLAReportInfo].self)
        let tickets = try await client.get("/v1/report/tickets" + window.query.filter { $0.0 != "method" }.queryString, as: TicketReportInfo.self)
        switch format {
        case .table: print(ReportFormats.table(reports) + "\n\n" + TicketReportText.table(tickets))
        case .markdown: print(ReportFormats.markdown(reports) + "\n\n" + TicketReportText.markdown(tickets))
        case .csv: print(ReportFormats.csv(reports), terminator: "")
        case .json: print(try JSONOutput.render(FullReport(services: reports, tickets: tickets)))
        case .html:
            // Bars sized to the window: minutes for an hour, hours for a day or two, days beyond.
            let query = window.query.filter { $0.0 != "method" } + [("resolution", "auto")]
            let days = try await client.getAll("/v1/report/daily" + query.queryString, as: [ServiceDaysInfo].self)
            print(ReportFormats.html(reports, tickets: tickets, days: days))
        }
    }
}
