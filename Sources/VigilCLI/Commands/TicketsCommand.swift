import ArgumentParser
import Foundation
import VigilWire

/// `vigil tickets [list] | show ID | import FILE.csv`
struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Support tickets against their response and resolution SLAs.",
        subcommands: [List.self, Show.self, Import.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tickets with their SLA clocks.",
            discussion: """
                Examples:
                  vigil tickets --open --at-risk
                  vigil tickets --breached --service api --since 7d
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Only tickets not solved or closed (of any age).")
        var open = false

        @Flag(help: "Only tickets with a running clock under the at-risk share.")
        var atRisk = false

        @Flag(help: "Only tickets with a breached clock.")
        var breached = false

        @Option(help: "Only tickets tagged with this service (or an alias).")
        var service: String?

        @Option(help: "Created since an ISO 8601 time or a duration back from now (default 30d).")
        var since: String?

        @Option(help: "At most this many, the most recent (default 1000).")
        var limit: Int?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            var query: [(String, String)] = []
            if let limit { query.append(("limit", String(limit))) }
            if open { query.append(("open", "true")) }
            if atRisk { query.append(("at_risk", "true")) }
            if breached { query.append(("breached", "true")) }
            if let service { query.append(("service", service)) }
            if let since { query.append(("since", since)) }
            let tickets = try await connection.client().get("/v1/tickets" + query.queryString, as: [TicketInfo].self)
            if json { return print(try JSONOutput.render(tickets)) }
            if tickets.isEmpty { return print("no tickets") }
            print(TicketText.table(tickets))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One ticket: clocks, due times, pauses, history, linked outage.")

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The ticket's external id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let ticket = try await connection.client().get("/v1/tickets/\(URLText.pathSegment(id))", as: TicketInfo.self)
            print(json ? try JSONOutput.render(ticket) : TicketText.detail(ticket))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import tickets from a CSV file (create or update by external_id).",
            discussion: """
                Columns (header row, any order): \(TicketCSV.columns.joined(separator: ", ")).
                external_id and created_at are required; tags are separated by ';', '|' or spaces. Bad rows are
                reported with their line numbers; good rows are imported anyway.

                Example:
                  vigil tickets import zendesk-export.csv
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The CSV file.")
        var file: String

        @Option(help: "Rows per request (at most 5000).")
        var batch = 2_000

        func validate() throws {
            guard (1...5_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 5000") }
        }

        func run() async throws {
            let summary = try await TicketImporter(client: try connection.client(), batch: batch).run(file: file)
            for problem in summary.problems {
                FileHandle.standardError.write(Data("\(file):\(problem.line): \(problem.reason)\n".utf8))
            }
            print("imported \(summary.created + summary.updated) tickets (\(summary.created) new, \(summary.updated) updated); \(summary.problems.count) bad row\(summary.problems.count == 1 ? "" : "s")")
            if !summary.problems.isEmpty { throw ExitCode(2) }
        }
    }
}

/// Reads a ticket CSV and sends its good rows to the collector in batches (`vigil tickets import`).
public struct TicketImporter: Sendable {
    /// What an import did.
    public struct Summary: Sendable {
        public var created = 0
        public var updated = 0
        /// Bad rows: line and reason, from the file or refused by the collector.
        public var problems: [(line: Int, reason: String)] = []
    }

    let client: CollectorClient
    let batch: Int
    /// Whether to draw a progress line on standard error.
    var showProgress = true

    public init(client: CollectorClient, batch: Int = 2_000, showProgress: Bool = true) {
        self.client = client
        self.batch = batch
        self.showProgress = showProgress
    }

    public func run(file: String) async throws -> Summary {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError(.usage, "cannot read \(file)")
        }
        let (rows, bad) = try TicketCSV.read([UInt8](data))
        var summary = Summary()
        var problems = bad
        let progress = showProgress ? Progress(total: rows.count) : nil
        for start in stride(from: 0, to: rows.count, by: batch) {
            let chunk = Array(rows[start..<min(rows.count, start + batch)])
            let result = try await client.post("/v1/tickets/import", body: chunk.map(\.input), as: TicketImportResult.self)
            summary.created += result.created
            summary.updated += result.updated
            problems += result.rejected.map { TicketCSV.BadRow(line: chunk[$0.index].line, reason: $0.reason) }
            progress?.update(start + chunk.count)
        }
        progress?.finish()
        summary.problems = problems.sorted { $0.line < $1.line }.map { ($0.line, $0.reason) }
        return summary
    }
}

/// A progress line on standard error: redrawn in place on a terminal, every tenth otherwise.
final class Progress: @unchecked Sendable {
    let total: Int
    let isTerminal = isatty(STDERR_FILENO) == 1
    var lastTenth = -1

    init(total: Int) { self.total = total }

    func update(_ done: Int) {
        let tenth = total > 0 ? done * 10 / total : 10
        if isTerminal {
            FileHandle.standardError.write(Data("\rimporting: \(done)/\(total) rows".utf8))
        } else if tenth != lastTenth {
            FileHandle.standardError.write(Data("importing: \(done)/\(total) rows\n".utf8))
        }
        lastTenth = tenth
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
