import VigilConfig
import VigilCore

/// How the collector runs. Every field has a documented default; a YAML file overrides them and
/// command-line flags override the file.
///
/// ```yaml
/// listen: 127.0.0.1:7400      # host:port to serve HTTP on
/// data_dir: ./vigil-data      # SQLite database and admin.token
/// storage: sqlite             # or postgres: {url: postgres://…}; see StorageSettings.swift
/// max_body_bytes: 8388608     # decompressed batch size limit (8 MiB)
/// ingest_budget_bytes: 268435456 # batches in flight hold at most this together; past it 503 (256 MiB)
/// rate_limit: {requests_per_second: 20, burst: 40}  # batches per agent; more get 429; `off` to disable
/// tls: {cert_file: …, key_file: …}   # HTTPS, optionally mutual TLS; see ListenerTLS.swift (default: plain HTTP)
/// public: {status_page: true}   # what may be read without a token; see PublicAccess.swift (default: nothing)
/// retention: 400d             # heartbeats older than this are refused
/// max_clock_skew: 5m          # heartbeats further in the future are refused
/// minute_rollup_retention: 35d # per-minute probe rollups kept this long (hours and days: retention)
/// limits: {checks_per_agent: 10000, services_per_agent: 1000, services: 10000}  # past them a batch gets 403
/// connections: {max: 1000, idle_timeout: 15s, request_timeout: 30s}  # see ConnectionLimits.swift
/// services: …                 # SLA policies; see ServiceCatalog+Parsing.swift and the README
/// ```
public struct CollectorConfiguration: Sendable {
    /// Host to listen on. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one. Default 7400.
    public var port: Int = 7400
    /// Where the database and the admin token live. Default `./vigil-data`.
    public var dataDirectory: String = "./vigil-data"
    /// Which engine stores the data. Default embedded SQLite in `dataDirectory`.
    public var storage: StorageSettings = .sqlite
    /// How often a replica tries for the leader lock and reports itself, in ms. Default 1 s.
    public var leaderCheckEveryMs: Int64 = 1_000
    /// Largest decompressed batch accepted, in bytes. Default 8 MiB.
    public var maxBodyBytes: Int = 8 * 1024 * 1024
    /// The memory all batch requests being received, inflated and stored may hold together, in bytes; a
    /// request that would pass it is answered `503 overloaded` with `Retry-After`. At least twice
    /// `maxBodyBytes`. Default 256 MiB.
    public var ingestBudgetBytes: Int = 256 * 1024 * 1024
    /// How many batches a second each agent may send; `nil` for no limit. Default 20 a second, burst 40.
    public var rateLimit: AgentRateLimit? = AgentRateLimit()
    /// TLS on the listener, reloaded on SIGHUP. Default nil: plain HTTP.
    public var tls: ListenerTLS?
    /// What may be read without a token (status page, badges, metrics). Default: nothing.
    public var publicAccess = PublicAccess()
    /// How far back heartbeats are accepted, in ms. Default 400 days (a year-long report plus margin).
    public var retentionMs: Int64 = 400 * 86_400_000
    /// How far in the future a heartbeat may be stamped, in ms. Default 5 minutes.
    public var maxClockSkewMs: Int64 = 5 * 60_000
    /// How long per-minute rollups are kept, in ms; hour and day rollups follow `retention`. Default 35 days.
    public var minuteRollupRetentionMs: Int64 = 35 * 86_400_000
    /// How many checks and services agents may define. Default 10,000 checks and 1,000 services per agent,
    /// 10,000 services in all.
    public var limits = DefinitionLimits()
    /// How many connections the listener serves and how long it waits for them. Default 1,000, 15 s idle,
    /// 30 s for a whole request.
    public var connections = ConnectionLimits()
    /// Services, SLAs, calendars and maintenance from the config. Default: no SLA targets, majority quorum.
    public var catalog = ServiceCatalog()
    /// Alert evaluation and hooks. Default: evaluate every 5 s, no hooks.
    public var alerts = AlertSettings()

    public init() {}

    /// Reads a YAML config file on top of the defaults.
    public static func load(path: String) throws(ConfigError) -> CollectorConfiguration {
        try parse(ConfigDocument.load(path: path))
    }

    /// Reads a parsed YAML document on top of the defaults.
    public static func parse(_ root: ConfigValue) throws(ConfigError) -> CollectorConfiguration {
        let object = try root.object(
            allowedKeys: Set(["listen", "data_dir", "max_body_bytes", "ingest_budget_bytes", "rate_limit", "retention", "max_clock_skew", "minute_rollup_retention", "limits"])
                .union(ListenerTLS.keys).union(ConnectionLimits.keys).union(PublicAccess.keys).union(ServiceCatalog.keys).union(AlertSettings.keys).union(StorageSettings.keys)
        )
        var configuration = CollectorConfiguration()
        if let listen = object.optional("listen") {
            let text = try listen.string()
            guard let address = HostPort(text) else { throw listen.error("expected HOST:PORT, e.g. 127.0.0.1:7400") }
            configuration.host = address.host
            configuration.port = address.port
        }
        if let dataDir = object.optional("data_dir") { configuration.dataDirectory = try dataDir.nonEmptyString() }
        if let maxBody = object.optional("max_body_bytes") {
            let value = try maxBody.int()
            guard value >= 1024 else { throw maxBody.error("must be at least 1024") }
            configuration.maxBodyBytes = value
        }
        if let budget = object.optional("ingest_budget_bytes") {
            let value = try budget.int()
            guard value >= 2 * configuration.maxBodyBytes else {
                throw budget.error("must be at least twice max_body_bytes (\(2 * configuration.maxBodyBytes)), so that a largest batch always fits")
            }
            configuration.ingestBudgetBytes = value
        } else if configuration.ingestBudgetBytes < 2 * configuration.maxBodyBytes {
            configuration.ingestBudgetBytes = 2 * configuration.maxBodyBytes
        }
        if let limit = object.optional("rate_limit") {
            configuration.rateLimit = try Self.rateLimit(limit)
        }
        if let retention = object.optional("retention") { configuration.retentionMs = try retention.durationMs() }
        if let skew = object.optional("max_clock_skew") { configuration.maxClockSkewMs = try skew.durationMs() }
        if let minutes = object.optional("minute_rollup_retention") {
            configuration.minuteRollupRetentionMs = try minutes.durationMs()
        }
        if let limits = object.optional("limits") {
            let section = try limits.object(allowedKeys: ["checks_per_agent", "services_per_agent", "services"])
            if let value = section.optional("checks_per_agent") { configuration.limits.checksPerAgent = try Self.atLeastOne(value) }
            if let value = section.optional("services_per_agent") { configuration.limits.servicesPerAgent = try Self.atLeastOne(value) }
            if let value = section.optional("services") { configuration.limits.services = try Self.atLeastOne(value) }
        }
        configuration.connections = try ConnectionLimits.parse(object)
        configuration.tls = try ListenerTLS.parse(object)
        configuration.publicAccess = try PublicAccess.parse(object)
        configuration.storage = try StorageSettings.parse(object)
        configuration.catalog = try ServiceCatalog.parse(object)
        configuration.alerts = try AlertSettings.parse(object)
        return configuration
    }

    static func atLeastOne(_ value: ConfigValue) throws(ConfigError) -> Int {
        let number = try value.int()
        guard number >= 1 else { throw value.error("must be at least 1") }
        return number
    }

    /// `rate_limit: off` or `{requests_per_second: N, burst: M}`.
    private static func rateLimit(_ value: ConfigValue) throws(ConfigError) -> AgentRateLimit? {
        if (try? value.string()) == "off" { return nil }
        let object = try value.object(allowedKeys: ["requests_per_second", "burst"])
        var limit = AgentRateLimit()
        if let rate = object.optional("requests_per_second") {
            let value = try rate.double()
            guard value > 0 else { throw rate.error("must be greater than 0 (use rate_limit: off for no limit)") }
            limit.requestsPerSecond = value
        }
        if let burst = object.optional("burst") {
            let value = try burst.int()
            guard value >= 1 else { throw burst.error("must be at least 1") }
            limit.burst = value
        }
        return limit
    }
}
