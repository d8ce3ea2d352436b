import ArgumentParser
import VigilWire

/// `vigil uptime SERVICE [--window 30d | --month 2026-10 | --quarter 2026-Q4 | --from --to] [--explain] [--json]`
struct UptimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uptime",
        abstract: "Show one service's availability against its SLA over a window.",
        discussion: """
            availability = up / (up + down) over eligible time (the SLA's calendar minus maintenance);
            time with no data is excluded and shows as coverage, unless the SLA counts it as up or down.
            Degraded time counts as up. Without a window option, the SLA's current period is shown.

            Examples:
              vigil uptime api                         this month (or the SLA's period) so far
              vigil uptime api --month 2026-10 --explain
              vigil uptime api --window 30d --method occurrences --json
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var window: WindowOptions

    @Argument(help: "Service name.")
    var service: String

    @Flag(help: "List the intervals, outages and exclusions behind the figures.")
    var explain = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        var query = window.query
        if explain { query.append(("explain", "true")) }
        let path = "/v1/services/\(URLText.pathSegment(service))/sla" + query.queryString
        let report = try await connection.client().get(path, as: SLAReportInfo.self)
        print(json ? try JSONOutput.render(report) : SLAText.render(report))
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
