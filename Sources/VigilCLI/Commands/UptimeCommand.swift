import ArgumentParser
import VigilWire

/// `vigil uptime SERVICE [--last 24h | --from ISO --to ISO] [--json]`
struct UptimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uptime",
        abstract: "Show one service's time-weighted availability over a window.",
        discussion: """
            availability = up / (up + down); time with no data (unknown) counts neither way and shows as
            coverage = (up + down) / eligible. Degraded time counts as up.

            Examples:
              vigil uptime api --last 24h
              vigil uptime api --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z --json
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Service name.")
    var service: String

    @Option(help: "Window ending now: 30m, 24h, 7d, ... (default 24h).")
    var last: String?

    @Option(help: "Window start, ISO 8601 (2026-11-01T00:00:00Z or 2026-11-01).")
    var from: String?

    @Option(help: "Window end, ISO 8601 (default now).")
    var to: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if last != nil && (from != nil || to != nil) {
            throw ValidationError("use either --last or --from/--to, not both")
        }
        if to != nil && from == nil { throw ValidationError("--to needs --from") }
    }

    func run() async throws {
        var query: [(String, String)] = []
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        if from == nil { query.append(("last", last ?? "24h")) }
        let path = "/v1/services/\(URLText.pathSegment(service))/uptime?" + query.map { "\($0)=\(URLText.queryValue($1))" }.joined(separator: "&")
        let report = try await connection.client().get(path, as: UptimeReport.self)
        print(json ? try JSONOutput.render(report) : Self.render(report))
    }

    static func render(_ report: UptimeReport) -> String {
        """
        service       \(report.service)
        window        \(report.from) → \(report.to)
        availability  \(Format.percent(report.availability))
        up            \(Format.duration(seconds: report.upSeconds))\(report.degradedSeconds > 0 ? " (degraded \(Format.duration(seconds: report.degradedSeconds)))" : "")
        down          \(Format.duration(seconds: report.downSeconds))
        unknown       \(Format.duration(seconds: report.unknownSeconds))
        coverage      \(Format.percent(report.coverage, digits: 1)) of \(Format.duration(seconds: report.eligibleSeconds)) eligible
        checks        \(report.checks)
        """
    }
}

/// Percent-encoding for URL parts, without Foundation's platform differences.
enum URLText {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    static func queryValue(_ text: String) -> String { encode(text) }
    static func pathSegment(_ text: String) -> String { encode(text) }

    private static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (byte < 16 ? "0" + hex : hex)
            }
        }
        return result
    }
}
