import ArgumentParser
import VigilWire

/// `vigil report --month 2026-10 [--format table|markdown|csv|json|html]`
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "SLA report for every service over a window.",
        discussion: """
            Each service is judged against its own SLA (target, calendar, time zone, method); calendar windows
            are read in each SLA's time zone. Without a window option, each SLA's current period.

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

    func run() async throws {
        let reports = try await connection.client().get("/v1/report" + window.query.queryString, as: [SLAReportInfo].self)
        switch format {
        case .table: print(ReportFormats.table(reports))
        case .markdown: print(ReportFormats.markdown(reports))
        case .csv: print(ReportFormats.csv(reports), terminator: "")
        case .json: print(try JSONOutput.render(reports))
        case .html: print(ReportFormats.html(reports))
        }
    }
}
