import ArgumentParser
import VigilWire

/// `vigil agents [list]`, `vigil agents add NAME` and `vigil agents revoke NAME`.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List, register or revoke agents.",
        discussion: """
            Examples:
              vigil agents
              vigil agents add web-01 > /etc/vigil/agent.token
              vigil agents revoke web-01
              vigil agents add web-01 --replace > /etc/vigil/agent.token
            """,
        subcommands: [List.self, Add.self, Revoke.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show agents: last seen, version, lag and dropped heartbeats."
        )

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let agents = try await connection.client().get("/v1/agents", as: [AgentInfo].self)
            print(json ? try JSONOutput.render(agents) : Self.render(agents))
        }

        static func render(_ agents: [AgentInfo]) -> String {
            guard !agents.isEmpty else { return "No agents registered. Add one with: vigil agents add NAME" }
            var table = Table("AGENT", "LAST SEEN", "VERSION", "LAG", "BATCHES", "HEARTBEATS", "DROPPED")
            for agent in agents {
                table.add(
                    agent.revoked == true ? "\(agent.name) (revoked)" : agent.name, agent.lastSeen ?? "never", agent.version ?? "-",
                    agent.lagSeconds.map { Format.duration(seconds: $0) } ?? "-",
                    "\(agent.batches)", "\(agent.heartbeats)", "\(agent.dropped)"
                )
            }
            return table.render()
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

        func run() async throws {
            let request = AgentCreateRequest(name: name, replace: replace ? true : nil)
            let created = try await connection.client().post("/v1/agents", body: request, as: AgentCreated.self)
            print(created.token)
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
