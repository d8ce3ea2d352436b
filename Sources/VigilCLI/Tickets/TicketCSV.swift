import VigilCollector
import VigilConfig
import VigilCore
import VigilWire

/// The CSV columns `vigil tickets import` reads (README "Importing tickets"). A header row names them, in
/// any order; `external_id` and `created_at` are required; tags are separated by `;`, `|` or spaces.
enum TicketCSV {
    static let columns = [
        "external_id", "title", "requester", "organisation", "priority", "category", "tags", "created_at", "status",
        "updated_at", "first_reply_at", "solved_at", "satisfaction",
    ]
    static let aliases = ["id": "external_id", "organization": "organisation", "subject": "title", "created": "created_at"]

    /// A row that could not be used, with its line.
    struct BadRow: Error, Hashable {
        var line: Int
        var reason: String
    }

    /// Good rows (with their lines) and bad ones; throws for a file whose header or syntax is unusable.
    static func read(_ bytes: [UInt8]) throws -> (rows: [(line: Int, input: TicketInput)], bad: [BadRow]) {
        let records: [CSVReader.Record]
        do { records = try CSVReader.records(bytes) } catch {
            throw CLIError(.usage, "not a CSV file: \(error.description)")
        }
        guard let header = records.first else { throw CLIError(.usage, "the file is empty (expected a header row: \(columns.joined(separator: ",")))") }
        var index: [String: Int] = [:]
        for (position, name) in header.fields.enumerated() {
            let key = name.trimmingSpaces().lowercased()
            let column = aliases[key] ?? key
            guard columns.contains(column) else {
                throw CLIError(.usage, "line \(header.line): unknown column \"\(name)\" (columns: \(columns.joined(separator: ", ")))")
            }
            guard index[column] == nil else { throw CLIError(.usage, "line \(header.line): column \(column) appears twice") }
            index[column] = position
        }
        for required in ["external_id", "created_at"] where index[required] == nil {
            throw CLIError(.usage, "line \(header.line): the header has no \(required) column")
        }
        var rows: [(Int, TicketInput)] = []
        var bad: [BadRow] = []
        rows.reserveCapacity(records.count)
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                bad.append(BadRow(line: record.line, reason: "\(record.fields.count) fields, the header has \(header.fields.count)"))
                continue
            }
            func value(_ column: String) -> String? {
                guard let position = index[column] else { return nil }
                let text = record.fields[position].trimmingSpaces()
                return text.isEmpty ? nil : text
            }
            let tags = value("tags").map { text in
                text.split(whereSeparator: { $0 == ";" || $0 == "|" || $0 == " " }).map(String.init)
            }
            let input = TicketInput(
                externalID: value("external_id") ?? "", title: value("title"), requester: value("requester"),
                organisation: value("organisation"), priority: value("priority"), category: value("category"), tags: tags,
                createdAt: value("created_at") ?? "", status: value("status"), updatedAt: value("updated_at"),
                firstReplyAt: value("first_reply_at"), solvedAt: value("solved_at"), satisfaction: value("satisfaction")
            )
            do {
                _ = try TicketIntake.ticket(from: input)
                rows.append((record.line, input))
            } catch {
                bad.append(BadRow(line: record.line, reason: error.description))
            }
        }
        return (rows, bad)
    }
}
