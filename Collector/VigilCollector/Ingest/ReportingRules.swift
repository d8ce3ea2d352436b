import VigilCore
import VigilWire

/// Which services one agent may report (issue 19): its own scope (`vigil agents add NAME --services
/// 'api,web-*'`, default any) and the collector config's `services: NAME: agents: [...]`, which names the
/// only agents that may report that service. Both must allow a service.
public struct ReportingPermission: Sendable, Hashable {
    /// The agent's name.
    public var agent: String
    /// The agent's scope; `nil` for any service.
    public var scope: ServiceScope?
    /// The config's reporters, by service (``ServiceCatalog/reporters``).
    public var reporters: [String: Set<String>]

    public init(agent: String, scope: ServiceScope?, reporters: [String: Set<String>]) {
        self.agent = agent
        self.scope = scope
        self.reporters = reporters
    }

    /// Why the agent may not report `service`; `nil` when it may.
    public func refusal(_ service: String) -> String? {
        if let allowed = reporters[service], !allowed.contains(agent) {
            return "agent \(agent) may not report service \"\(service)\": the collector config lets only \(allowed.sorted().joined(separator: ", ")) report it"
        }
        if let scope, !scope.allows(service) {
            return "service \"\(service)\" is outside agent \(agent)'s scope (\(scope))"
        }
        return nil
    }
}

/// How much one agent, and all agents together, may define (issue 19: one agent created 50,000 services
/// in 4 s). A batch whose definitions would pass a limit is refused whole with `403 limit_exceeded`; the
/// agent keeps it spooled and retries, so nothing is lost while an operator raises the limit.
public struct DefinitionLimits: Sendable, Hashable {
    /// Checks one agent may have defined. Default 10,000.
    public var checksPerAgent = 10_000
    /// Distinct services one agent's checks may name. Default 1,000.
    public var servicesPerAgent = 1_000
    /// Distinct services all agents' checks may name together. Default 10,000.
    public var services = 10_000

    public init() {}

    /// What a batch's definitions would add, measured against what the store holds.
    struct Usage {
        /// Checks the agent has now, and how many of the batch's are new.
        var agentChecks: Int
        var newChecks: Int
        /// Services the agent's checks name now, and how many the batch adds for it.
        var agentServices: Int
        var newAgentServices: Int
        /// Services known to the collector now, and how many the batch adds.
        var allServices: Int
        var newServices: Int
    }

    /// The reason the batch is refused; `nil` when it is within every limit.
    func refusal(_ usage: Usage, agent: String) -> String? {
        if usage.newChecks > 0, usage.agentChecks + usage.newChecks > checksPerAgent {
            return "agent \(agent) would have \(usage.agentChecks + usage.newChecks) checks, more than the limit of \(checksPerAgent) (limits.checks_per_agent)"
        }
        if usage.newAgentServices > 0, usage.agentServices + usage.newAgentServices > servicesPerAgent {
            return "agent \(agent) would report \(usage.agentServices + usage.newAgentServices) services, more than the limit of \(servicesPerAgent) (limits.services_per_agent)"
        }
        if usage.newServices > 0, usage.allServices + usage.newServices > services {
            return "the collector would know \(usage.allServices + usage.newServices) services, more than the limit of \(services) (limits.services)"
        }
        return nil
    }

    /// The services a batch's `definitions` name that the agent's stored checks (name → service) do not:
    /// the ones the store must look up to know whether they are new to the collector.
    static func candidateServices(definitions: [CheckDefinition], agentChecks: [String: String]) -> Set<String> {
        Set(definitions.map(\.service)).subtracting(agentChecks.values)
    }

    /// The usage a batch's `definitions` make, given the agent's stored checks (name → service), the
    /// number of services the collector knows and which of the ``candidateServices(definitions:agentChecks:)``
    /// it knows already.
    static func usage(
        definitions: [CheckDefinition], agentChecks: [String: String], allServices: Int, knownCandidates: Set<String>
    ) -> Usage {
        var after = agentChecks
        for definition in definitions { after[definition.name] = definition.service }
        let servicesBefore = Set(agentChecks.values)
        let servicesAfter = Set(after.values)
        let candidates = candidateServices(definitions: definitions, agentChecks: agentChecks)
        return Usage(
            agentChecks: agentChecks.count, newChecks: after.count - agentChecks.count,
            agentServices: servicesBefore.count, newAgentServices: max(0, servicesAfter.count - servicesBefore.count),
            allServices: allServices, newServices: candidates.subtracting(knownCandidates).count
        )
    }
}
