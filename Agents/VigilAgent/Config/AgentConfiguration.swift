#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilConfig
import VigilCore

/// How an agent runs: where it ships, how it batches, what it checks.
///
/// ```yaml
/// collector: http://127.0.0.1:7400   # collector base URL, or a list of them to fail over between
/// tls: {ca_file: collector-ca.pem}   # for https:// collectors; see ClientTLSFiles.swift (mutual TLS too)
/// max_concurrent_probes: 256         # probes running at once at most
/// metrics:
///   listen: 127.0.0.1:9464           # serve Prometheus /metrics here (off by default)
/// token_file: /etc/vigil/agent.token # or token: vigil_agt_...
/// name: web-01                       # default: the host name (for logs; identity is the token)
/// batch:
///   max_heartbeats: 500              # ship when this many are waiting (default 500)
///   max_delay: 5s                    # or when the oldest has waited this long (default 5s)
/// spool:
///   dir: /var/lib/vigil-agent/spool  # default: "spool" beside this file
///   max_bytes: 67108864              # oldest segment dropped (and reported) beyond this; default 64 MiB
///   fsync_interval: 1s               # default 1s
/// checks:
///   - name: api-health
///     service: api
///     kind: http                     # http (default) or tcp
///     url: http://127.0.0.1:8080/health
///     interval: 10s                  # default 30s
///     timeout: 5s                    # default min(10s, interval)
///     expect_status: [200, "300-399"]  # default 200-299
///   - name: db-port
///     service: db
///     kind: tcp
///     target: 127.0.0.1:5432
/// ```
public struct AgentConfiguration: Sendable, Hashable {
    /// Collector base URLs, e.g. `http://127.0.0.1:7400`; the agent ships to the first that answers and
    /// fails over to the next when one does not.
    public var collectorURLs: [String]
    /// The first collector URL.
    public var collectorURL: String { collectorURLs.first ?? "" }
    /// CA and client certificate for `https://` collectors. Default nil: system roots, no client certificate.
    public var collectorTLS: ClientTLSFiles?
    /// Probes running at once at most; a check whose turn comes while the limit is reached waits for a
    /// free slot. Default 256.
    public var maxConcurrentProbes = 256
    /// How far the wall clock may drift from the agent's monotonic stamping clock before the stamps
    /// re-anchor to it and the step is logged and sent (issue 18). Default 1 s.
    public var clockStepThresholdMs: Int64 = 1_000
    /// The agent's bearer token.
    public var token: String
    /// Name used in logs and the User-Agent. Default: the host name.
    public var name: String
    /// Ship when this many heartbeats wait. Default 500.
    public var batchMaxHeartbeats: Int = 500
    /// Ship when the oldest waiting heartbeat is this old, ms. Default 5 s.
    public var batchMaxDelayMs: Int64 = 5_000
    /// The durable spool. Default: `./vigil-agent-spool`; from a config file, `spool` beside it.
    public var spool = SpoolConfiguration(directory: "./vigil-agent-spool")
    /// An empty batch is sent when nothing was shipped for this long, ms (liveness). Default 30 s.
    public var livenessIntervalMs: Int64 = 30_000
    /// Where to serve the agent's Prometheus metrics (`metrics.listen`); `nil` (the default) serves none.
    public var metricsAddress: HostPort?
    /// The checks.
    public var checks: [CheckConfiguration]

    public init(collectorURL: String, token: String, name: String? = nil, checks: [CheckConfiguration]) {
        self.collectorURLs = [collectorURL]
        self.token = token
        self.name = name ?? ProcessInfo.processInfo.hostName
        self.checks = checks
    }

    /// What a configuration is read for.
    public enum Use: Sendable {
        /// Running the agent: a collector and a token are required.
        case shipping
        /// Probing only (`vigil-agent once`): nothing is shipped, so `collector`, `token` and
        /// `token_file` may be left out (they are still checked when given).
        case probingOnly
    }

    /// Reads and validates a config file; errors carry file, line and reason.
    public static func load(path: String, for use: Use = .shipping) throws(ConfigError) -> AgentConfiguration {
        let root = try ConfigDocument.load(path: path)
        let directory = FilePaths.directory(of: path)
        return try parse(root, relativeTo: directory, for: use)
    }

    /// Reads a parsed document; relative `token_file` paths are taken from `directory`.
    public static func parse(_ root: ConfigValue, relativeTo directory: String = ".", for use: Use = .shipping) throws(ConfigError) -> AgentConfiguration {
        let object = try root.object(allowedKeys: [
            "collector", "tls", "token", "token_file", "name", "batch", "spool", "max_concurrent_probes", "metrics", "checks",
            "clock_step_threshold",
        ])
        let probingOnly = use == .probingOnly
        let collectorValue = probingOnly ? object.optional("collector") : try object.required("collector")
        var collectors: [String] = []
        for item in collectorValue.map({ (try? $0.array()) ?? [$0] }) ?? [] {
            let collector = try item.nonEmptyString()
            guard let url = URL(string: collector), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw item.error("expected an http:// or https:// URL")
            }
            collectors.append(collector.hasSuffix("/") ? String(collector.dropLast()) : collector)
        }
        if let collectorValue, collectors.isEmpty { throw collectorValue.error("at least one collector URL is needed") }
        let hasToken = object.optional("token") != nil || object.optional("token_file") != nil
        let token = probingOnly && !hasToken ? "" : try readToken(object, relativeTo: directory)
        var configuration = AgentConfiguration(
            collectorURL: collectors.first ?? "",
            token: token,
            name: try object.optional("name")?.nonEmptyString(),
            checks: []
        )
        configuration.collectorURLs = collectors
        configuration.collectorTLS = try parseTLS(object, relativeTo: directory)
        if let limit = object.optional("max_concurrent_probes") {
            let value = try limit.int()
            guard (1...10_000).contains(value) else { throw limit.error("must be between 1 and 10000") }
            configuration.maxConcurrentProbes = value
        }
        if let threshold = object.optional("clock_step_threshold") {
            let value = try threshold.durationMs()
            guard value >= 100 else { throw threshold.error("must be at least 100ms") }
            configuration.clockStepThresholdMs = value
        }
        if let batch = object.optional("batch") {
            let batchObject = try batch.object(allowedKeys: ["max_heartbeats", "max_delay"])
            if let max = batchObject.optional("max_heartbeats") {
                let value = try max.int()
                guard (1...100_000).contains(value) else { throw max.error("must be between 1 and 100000") }
                configuration.batchMaxHeartbeats = value
            }
            if let delay = batchObject.optional("max_delay") { configuration.batchMaxDelayMs = try delay.durationMs() }
        }
        if let metrics = object.optional("metrics") {
            let listen = try metrics.object(allowedKeys: ["listen"]).required("listen")
            guard let address = HostPort(try listen.string()) else { throw listen.error("expected HOST:PORT, e.g. 127.0.0.1:9464") }
            configuration.metricsAddress = address
        }
        configuration.spool.directory = FilePaths.join(directory, "spool")
        if let spool = object.optional("spool") {
            let spoolObject = try spool.object(allowedKeys: ["dir", "max_bytes", "fsync_interval"])
            if let dir = spoolObject.optional("dir") {
                let path = try dir.nonEmptyString()
                configuration.spool.directory = FilePaths.resolve(path, against: directory)
            }
            if let max = spoolObject.optional("max_bytes") {
                let value = try max.int()
                guard value >= 1 << 20 else { throw max.error("must be at least 1048576 (1 MiB)") }
                configuration.spool.maxBytes = value
            }
            if let interval = spoolObject.optional("fsync_interval") {
                configuration.spool.fsyncIntervalMs = try interval.durationMs()
            }
        }
        let checksValue = try object.required("checks")
        var names: Set<String> = []
        for item in try checksValue.array() {
            let check = try parseCheck(item, relativeTo: directory)
            guard names.insert(check.name).inserted else {
                throw item.error("duplicate check name \"\(check.name)\"")
            }
            configuration.checks.append(check)
        }
        guard !configuration.checks.isEmpty else { throw checksValue.error("at least one check is needed") }
        return configuration
    }

    private static func readToken(_ object: ConfigObject, relativeTo directory: String) throws(ConfigError) -> String {
        if let inline = object.optional("token") { return try inline.nonEmptyString() }
        guard let fileValue = object.optional("token_file") else {
            throw object.value.error("either token or token_file is required", code: .missingKey)
        }
        var path = try fileValue.nonEmptyString()
        if !path.hasPrefix("/") { path = FilePaths.join(directory, path) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw fileValue.error("cannot read token file \(path)")
        }
        let token = text.trimmingSpaces()
        guard !token.isEmpty else { throw fileValue.error("token file \(path) is empty") }
        return token
    }

    /// The `tls:` section for `https://` collectors, checked by loading the files; paths are relative to the config.
    private static func parseTLS(_ object: ConfigObject, relativeTo directory: String) throws(ConfigError) -> ClientTLSFiles? {
        guard let section = object.optional("tls") else { return nil }
        let fields = try section.object(allowedKeys: ["ca_file", "cert_file", "key_file"])
        func path(_ key: String) throws(ConfigError) -> String? {
            guard let value = fields.optional(key) else { return nil }
            let path = try value.nonEmptyString()
            return FilePaths.resolve(path, against: directory)
        }
        let files = ClientTLSFiles(caFile: try path("ca_file"), certificateFile: try path("cert_file"), keyFile: try path("key_file"))
        do {
            _ = try files.configuration()
        } catch {
            throw section.error(error.message)
        }
        return files
    }
}
