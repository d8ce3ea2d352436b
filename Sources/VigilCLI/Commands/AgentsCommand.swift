import ArgumentParser
import VigilCore
import VigilWire

/// `vigil agents [list]`, `vigil agents add NAME [--services S]`, `vigil agents scope NAME` and
/// `vigil agents revoke NAME`.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List, register, scope or revoke agents.",
        discussion: """
            An agent may report any service unless it is given a scope: service names or globs (* and ?).
            Heartbeats for other services are refused one by one with the reason.

            Examples:
              vigil agents
              vigil agents add web-01 > /etc/vigil/agent.token
              vigil agents add edge-fra --services 'api,web-*' > /etc/vigil/agent.token
              vigil agents scope edge-fra --services 'api'
              vigil agents revoke web-01
              vigil agents add web-01 --replace > /etc/vigil/agent.token
            """,
        subcommands: [List.self, Add.self, Scope.self, Revoke.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show agents: last seen, version, lag, dropped heartbeats and clock.",
            discussion: """
                CLOCK is the agent's clock against the collector's when its last batch arrived (+ ahead,
                − behind); "stepped" adds the wall-clock steps its heartbeats were re-anchored on since it
                started. Heartbeats stamped after the clock was set back are placed on the agent's monotonic
                clock, so the step does not move them into the past.
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let agents = try await connection.client().getAll("/v1/agents", as: [AgentInfo].self)
            print(json ? try JSONOutput.render(agents) : Self.render(agents))
        }

        static func render(_ agents: [AgentInfo]) -> String {
            guard !agents.isEmpty else { return "No agents registered. Add one with: vigil agents add NAME" }
            var table = Table("AGENT", "LAST SEEN", "VERSION", "LAG", "BATCHES", "HEARTBEATS", "DROPPED", "CLOCK", "SERVICES")
            for agent in agents {
                table.add(
                    agent.revoked == true ? "\(agent.name) (revoked)" : agent.name, agent.lastSeen ?? "never", agent.version ?? "-",
                    agent.lagSeconds.map { Format.duration(seconds: $0) } ?? "-",
                    "\(agent.batches)", "\(agent.heartbeats)", "\(agent.dropped)", clock(agent),
                    agent.services?.joined(separator: ",") ?? "any"
                )
            }
            return table.render()
        }

        /// `+0.2s`, `-1h0m0s, stepped -1h0m0s`, or `-` when the agent never said.
        static func clock(_ agent: AgentInfo) -> String {
            var parts: [String] = []
            if let offset = agent.clockOffsetSeconds { parts.append(signed(offset)) }
            if let step = agent.clockStepSeconds, step != 0 { parts.append("stepped " + signed(step)) }
            return parts.isEmpty ? "-" : parts.joined(separator: ", ")
        }

        /// An offset with its sign, in tenths of a second under a minute; the sign is that of what is shown,
        /// so -0.04 s reads +0.0s, not -0.0s.
        static func signed(_ seconds: Double) -> String {
            let magnitude = abs(seconds) < 60 ? Format.fixed(abs(seconds), digits: 1) + "s" : Format.duration(seconds: abs(seconds))
            let negative = seconds < 0 && (abs(seconds) >= 60 || (abs(seconds) * 10).rounded() > 0)
            return (negative ? "-" : "+") + magnitude
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register an agent and print its token (shown once; stored hashed).",
            discussion: "The token alone goes to standard output, so a script can capture it:\n  TOKEN=$(vigil agents add web-01)"
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "Agent name: letters, digits, '.', '-', '_'.")
        var name: String

        @Flag(help: "If the name is taken, give that agent a new token (its old token stops working).")
        var replace = false

        @Option(help: "The services it may report: names or globs, comma-separated ('api,web-*'). Default: any.")
        var services: String?

        func validate() throws {
            if let services { _ = try AgentsCommand.scope(services) }
        }

        func run() async throws {
            let scope = try services.map(AgentsCommand.scope)
            let request = AgentCreateRequest(name: name, replace: replace ? true : nil, services: scope?.patterns)
            let created = try await connection.client().post("/v1/agents", body: request, as: AgentCreated.self)
            print(created.token)
        }
    }

    struct Scope: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scope",
            abstract: "Set the services an agent may report, from its next batch on.",
            discussion: """
                Heartbeats for other services are refused one by one with the reason, counted in
                vigil_collector_heartbeats_out_of_scope_total and logged once per agent and service.

                Examples:
                  vigil agents scope edge-fra --services 'api,web-*'
                  vigil agents scope edge-fra --any
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The agent's name.")
        var name: String

        @Option(help: "Service names or globs, comma-separated ('api,web-*').")
        var services: String?

        @Flag(help: "Let it report any service again.")
        var any = false

        func validate() throws {
            guard (services == nil) != !any else { throw ValidationError("give either --services or --any") }
            if let services { _ = try AgentsCommand.scope(services) }
        }

        func run() async throws {
            let scope = try services.map(AgentsCommand.scope)
            let path = "/v1/agents/\(URLText.pathSegment(name))/scope"
            let set = try await connection.client().post(path, body: AgentScopeRequest(services: scope?.patterns), as: AgentScopeRequest.self)
            print("\(Escaping.terminal(name)) may report " + (set.services.map { Escaping.terminal($0.joined(separator: ", ")) } ?? "any service"))
        }
    }

    static func scope(_ text: String) throws -> ServiceScope {
        do {
            return try ServiceScope(parsing: text)
        } catch {
            throw ValidationError("--services: \(error.message)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke an agent's token: its batches are refused from now on; its history stays.",
            discussion: "Give it a new token later with: vigil agents add NAME --replace"
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The agent's name.")
        var name: String

        func run() async throws {
            let path = "/v1/agents/\(URLText.pathSegment(name))/revoke"
            let revoked = try await connection.client().post(path, body: [String: String](), as: AgentRevoked.self)
            print("revoked \(revoked.name): its token no longer works; its history is kept. New token: vigil agents add \(revoked.name) --replace")
        }
    }
}
