import VigilConfig

/// What may be read without a token. Everything needs at least a read token by default; a status page
/// meant for customers, badges for a README, or a Prometheus without a token file are opened on purpose.
///
/// ```yaml
/// public:
///   status_page: true   # /status (default false)
///   badges: true        # /badge/{service}/… (default false)
///   metrics: false      # /metrics (default false: Prometheus sends a read token)
/// ```
public struct PublicAccess: Sendable, Hashable {
    /// `/status` without a token. Default false.
    public var statusPage = false
    /// `/badge/…` without a token. Default false.
    public var badges = false
    /// `/metrics` without a token. Default false.
    public var metrics = false

    public init(statusPage: Bool = false, badges: Bool = false, metrics: Bool = false) {
        self.statusPage = statusPage
        self.badges = badges
        self.metrics = metrics
    }

    static let keys: Set<String> = ["public"]

    static func parse(_ root: ConfigObject) throws(ConfigError) -> PublicAccess {
        guard let section = root.optional("public") else { return PublicAccess() }
        let fields = try section.object(allowedKeys: ["status_page", "badges", "metrics"])
        var access = PublicAccess()
        if let value = fields.optional("status_page") { access.statusPage = try value.bool() }
        if let value = fields.optional("badges") { access.badges = try value.bool() }
        if let value = fields.optional("metrics") { access.metrics = try value.bool() }
        return access
    }
}
