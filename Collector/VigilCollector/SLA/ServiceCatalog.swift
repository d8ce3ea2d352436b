import VigilCore

/// What the collector config says about services: their SLA policies, calendars and maintenance.
///
/// Services the config does not name get ``defaults``; services named in the config but without checks
/// yet still appear in reports (with no data).
public struct ServiceCatalog: Sendable {
    /// Policy for services the config does not name (majority quorum, 2/1 confirmation, no target).
    public var defaults = ServicePolicy()
    /// Policies by service name.
    public var services: [String: ServicePolicy] = [:]
    /// Maintenance windows from the config file (ids `config-1`, `config-2`, …).
    public var maintenance: [MaintenanceWindow] = []
    /// Other names tickets may tag a service with, by service.
    public var aliases: [String: [String]] = [:]
    /// The agents that alone may report a service (`services: NAME: agents: [...]`), by service; a service
    /// not listed may be reported by any agent whose own scope allows it.
    public var reporters: [String: Set<String>] = [:]
    /// Ticket SLA policies, pauses, satisfaction, correlation and surges. Default: the seeds' policy.
    public var tickets = TicketSettings.seedsExample()

    public init() {}

    /// The policy that applies to `service`.
    public func policy(for service: String) -> ServicePolicy { services[service] ?? defaults }
}
