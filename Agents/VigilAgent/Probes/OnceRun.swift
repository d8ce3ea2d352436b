import AsyncHTTPClient
import VigilCore

/// Runs every configured check once, concurrently, and reports what each saw: `vigil-agent once`, the
/// agent's counterpart of blackbox_exporter's debug output.
public enum OnceRun {
    /// One line of the report.
    public struct Line: Sendable, Hashable {
        public var check: CheckConfiguration
        public var result: ProbeResult
    }

    /// Probes every check once; results come back in config order.
    public static func run(_ configuration: AgentConfiguration) async -> [Line] {
        let clients = ProbeClients(for: configuration.checks)
        let results = await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, check) in configuration.checks.enumerated() {
                let probe = Agent.probe(for: check, clients: clients)
                group.addTask { (index, await probe.run()) }
            }
            var collected = [ProbeResult?](repeating: nil, count: configuration.checks.count)
            for await (index, result) in group { collected[index] = result }
            return collected
        }
        await clients.shutdown()
        return zip(configuration.checks, results).map { Line(check: $0, result: $1!) }
    }

    /// A table: check, service, kind, target, status, latency, code, message.
    public static func render(_ lines: [Line]) -> String {
        let headers = ["CHECK", "SERVICE", "KIND", "TARGET", "STATUS", "LATENCY", "CODE", "MESSAGE"]
        let rows = lines.map { line -> [String] in
            [
                line.check.name, line.check.service, line.check.kind.name, line.check.kind.target,
                line.result.status.rawValue.uppercased(), formatLatency(line.result.latencyUs),
                line.result.code == 0 ? "-" : "\(line.result.code)", line.result.message,
            ]
        }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return ([headers] + rows).map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }.joined()
        }.joined(separator: "\n")
    }

    /// Whether every check came back up or degraded.
    public static func allAvailable(_ lines: [Line]) -> Bool {
        lines.allSatisfy { $0.result.status.isAvailable }
    }

    static func formatLatency(_ us: UInt32) -> String {
        if us < 1_000 { return "\(us)µs" }
        if us < 1_000_000 { return "\(us / 1_000).\(us % 1_000 / 100)ms" }
        return "\(us / 1_000_000).\(us % 1_000_000 / 100_000)s"
    }
}
