import VigilCore
import Foundation

/// A plain text table with aligned columns, for human output.
struct Table {
    var headers: [String]
    var rows: [[String]] = []
    /// Per column, the ANSI colour (SGR code such as `32`) for a cell's text; applied only when
    /// ``Terminal/colors`` allows, after alignment, so columns stay aligned.
    var colors: [Int: (String) -> String?] = [:]

    init(_ headers: String...) {
        self.headers = headers
    }

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    /// The table as text. Every cell goes through `Escaping.terminal` here, the one place a table
    /// meets the terminal, so no cell can carry a control or start a row of its own.
    func render() -> String {
        let headers = headers.map(Escaping.terminal)
        let rows = rows.map { $0.map(Escaping.terminal) }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let colored = Terminal.colors
        func line(_ cells: [String], header: Bool) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                var shown = cell
                if colored, !header, let code = colors[index]?(cell) { shown = "\u{1B}[\(code)m\(cell)\u{1B}[0m" }
                text += isLast ? shown : shown + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return text
        }
        return ([line(headers, header: true)] + rows.map { line($0, header: false) }).joined(separator: "\n")
    }
}

/// Whether output may be coloured: standard output is a terminal, `NO_COLOR` is unset and `TERM` is not
/// `dumb` (https://no-color.org).
enum Terminal {
    static let colors: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }()

    /// Green for up, yellow for degraded, red for down, dim for unknown.
    static func stateColor(_ state: String) -> String? {
        switch state.lowercased() {
        case "up": "32"
        case "degraded": "33"
        case "down": "31;1"
        case "unknown": "2"
        default: nil
        }
    }
}

/// Number formats shared by the commands.
enum Format {
    /// `99.953%`, or `-` when undefined.
    static func percent(_ value: Double?, digits: Int = 3) -> String {
        guard let value else { return "-" }
        return fixed(value * 100, digits: digits) + "%"
    }

    /// A fixed-point number without Foundation's locale.
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { text = String(text[..<dot]) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }

    /// `1h02m`, `42s` for a number of seconds.
    static func duration(seconds: Double) -> String {
        if seconds > 0 && seconds < 1 { return fixed(seconds, digits: 3) + "s" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" + two(total % 60) + "s" }
        if total < 86400 { return "\(total / 3600)h" + two(total % 3600 / 60) + "m" }
        return "\(total / 86400)d" + two(total % 86400 / 3600) + "h"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
