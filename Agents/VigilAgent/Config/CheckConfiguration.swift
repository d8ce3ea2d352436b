#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilConfig
import VigilCore

/// One check an agent runs.
public struct CheckConfiguration: Sendable, Hashable {
    /// What to probe and how.
    public enum Kind: Sendable, Hashable {
        /// HTTP(S) request; up when the answer passes every expectation in the options.
        case http(HTTPCheckOptions)
        /// TCP connect to `host:port`; up when the connection opens (and, with `expect`, the answer to
        /// `send` contains it).
        case tcp(host: String, port: Int, send: String? = nil, expect: String? = nil)
        /// A program with the Nagios plugin convention.
        case command(argv: [String])
        /// A TLS server's certificate: chain and days left.
        case tls(TLSCheckOptions)
        /// A DNS lookup.
        case dns(DNSCheckOptions)
        /// ICMP echo to a host, `count` packets per probe.
        case icmp(host: String, count: Int)

        /// The wire name of the kind.
        public var name: String {
            switch self {
            case .http: return "http"
            case .tcp: return "tcp"
            case .command: return "command"
            case .tls: return "tls"
            case .dns: return "dns"
            case .icmp: return "icmp"
            }
        }

        /// What is probed, as shown to operators.
        public var target: String {
            switch self {
            // Credentials in the URL stay on the agent: the collector stores and shows the target.
            case .http(let options): return Redaction.url(options.url)
            case .tcp(let host, let port, _, _): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .command(let argv): return argv.joined(separator: " ")
            case .icmp(let host, _): return host
            case .dns(let options): return "\(options.query) \(options.record.rawValue)" + (options.server.map { " @\($0)" } ?? "")
            case .tls(let options): return options.host.contains(":") ? "[\(options.host)]:\(options.port)" : "\(options.host):\(options.port)"
            }
        }
    }

    /// Unique name within the agent.
    public var name: String
    /// The service the check observes.
    public var service: String
    /// Probe kind and target.
    public var kind: Kind
    /// Time between probe starts, ms. Default 30 s.
    public var intervalMs: Int64
    /// Probe timeout, ms. Default: the smaller of 10 s and the interval.
    public var timeoutMs: Int64
    /// An up result slower than this (ms) is `degraded`. Default: never.
    public var degradedAfterMs: Int64?

    public init(name: String, service: String, kind: Kind, intervalMs: Int64 = 30_000, timeoutMs: Int64? = nil) {
        self.name = name
        self.service = service
        self.kind = kind
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs ?? min(10_000, intervalMs)
    }

    /// The wire definition with the agent-local id `id`.
    public func definition(id: UInt32) -> CheckDefinition {
        CheckDefinition(
            id: id, name: name, service: service, kind: kind.name, target: kind.target,
            intervalMs: UInt32(clamping: intervalMs), timeoutMs: UInt32(clamping: timeoutMs)
        )
    }
}

/// Accepted HTTP status codes: single codes and ranges (`200`, `200-299`). Default 200–299.
public struct StatusCodeSet: Sendable, Hashable, CustomStringConvertible {
    /// The accepted ranges.
    public var ranges: [ClosedRange<Int>]

    public init(ranges: [ClosedRange<Int>] = [200...299]) {
        self.ranges = ranges
    }

    /// Whether `code` is accepted.
    public func contains(_ code: Int) -> Bool { ranges.contains { $0.contains(code) } }

    /// Parses `200` or `200-299`; `nil` when malformed or outside 100–599.
    public static func parseItem(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let low = Int(parts[0].trimmingSpaces()),
              let high = Int(parts[parts.count - 1].trimmingSpaces()),
              100 <= low, low <= high, high <= 599 else { return nil }
        return low...high
    }

    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }
}
