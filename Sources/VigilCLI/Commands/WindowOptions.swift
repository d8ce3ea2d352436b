import ArgumentParser

/// The report window and method, shared by `uptime` and `report`.
struct WindowOptions: ParsableArguments {
    @Option(help: "Rolling window ending now: 24h, 7d, 30d.")
    var window: String?

    @Option(help: ArgumentHelp("Same as --window.", visibility: .hidden))
    var last: String?

    @Option(help: "Calendar month in the SLA's time zone: 2026-10.")
    var month: String?

    @Option(help: "Calendar quarter: 2026-Q4.")
    var quarter: String?

    @Option(help: "Calendar year: 2026.")
    var year: String?

    @Option(help: "Window start, ISO 8601 (2026-11-01T00:00:00Z or 2026-11-01).")
    var from: String?

    @Option(help: "Window end, ISO 8601 (default now).")
    var to: String?

    @Option(help: "Counting method: time, occurrences or timeslices (default: the SLA's).")
    var method: String?

    @Option(help: "Slice length for the timeslices figure: 1m, 5m (default: the SLA's, else 1m).")
    var timeslice: String?

    @Option(help: "A slice is bad when more than this percent of its known time is down (default: the SLA's, else 0).")
    var badAbove: String?

    @Option(help: "What time with no data counts as: exclude, up or down (default: the SLA's).")
    var unknown: String?

    func validate() throws {
        let given = [window ?? last, month, quarter, year, from].compactMap { $0 }
        if given.count > 1 { throw ValidationError("give one of --window, --month, --quarter, --year or --from/--to") }
        if to != nil && from == nil { throw ValidationError("--to needs --from") }
        if let method, !["time", "occurrences", "timeslices"].contains(method) {
            throw ValidationError("--method must be time, occurrences or timeslices")
        }
        if let unknown, !["exclude", "up", "down"].contains(unknown) {
            throw ValidationError("--unknown must be exclude, up or down")
        }
    }

    /// Query items for the API.
    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let window = window ?? last { items.append(("window", window)) }
        if let month { items.append(("month", month)) }
        if let quarter { items.append(("quarter", quarter)) }
        if let year { items.append(("year", year)) }
        if let from { items.append(("from", from)) }
        if let to { items.append(("to", to)) }
        if let method { items.append(("method", method)) }
        if let timeslice { items.append(("timeslice", timeslice)) }
        if let badAbove { items.append(("bad_above", badAbove)) }
        if let unknown { items.append(("unknown", unknown)) }
        return items
    }
}

extension Array where Element == (String, String) {
    /// `?a=1&b=2`, or empty.
    var queryString: String {
        isEmpty ? "" : "?" + map { "\($0)=\(URLText.queryValue($1))" }.joined(separator: "&")
    }
}
