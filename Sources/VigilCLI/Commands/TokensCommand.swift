import ArgumentParser
import VigilWire

/// `vigil tokens [list]`, `vigil tokens create NAME --scope read|admin` and `vigil tokens revoke NAME`.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "List, create or revoke operator API tokens (read-only or admin).",
        discussion: """
            A read token can use every read command (status, uptime, report, outages, tickets, agents); an admin \
            token can also change things. Agent tokens are separate: see vigil agents.

            Examples:
              vigil tokens
              vigil tokens create grafana --scope read > grafana.token
              vigil tokens revoke grafana
            """,
        subcommands: [List.self, Create.self, Revoke.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show live tokens: name, scope, created.")

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let tokens = try await connection.client().get("/v1/tokens", as: [TokenInfo].self)
            var table = Table("NAME", "SCOPE", "CREATED")
            for token in tokens { table.add(token.name, token.scope, token.createdAt) }
            print(json ? try JSONOutput.render(tokens) : table.render())
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token and print it (shown once; stored hashed).",
            discussion: "The token alone goes to standard output:\n  READ_TOKEN=$(vigil tokens create grafana --scope read)"
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "A name for the token: letters, digits, '.', '-', '_'.")
        var name: String

        @Option(help: "read (look only) or admin (everything).")
        var scope: String = "read"

        func validate() throws {
            guard ["read", "admin"].contains(scope) else { throw ValidationError("--scope must be read or admin, not \"\(scope)\"") }
        }

        func run() async throws {
            let created = try await connection.client().post("/v1/tokens", body: TokenCreateRequest(name: name, scope: scope), as: TokenInfo.self)
            print(created.token ?? "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a token by name: it stops working at once and is never accepted again.",
            discussion: "The last admin token cannot be revoked; create another admin token first."
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The token's name.")
        var name: String

        func run() async throws {
            try await connection.client().delete("/v1/tokens/\(URLText.pathSegment(name))")
            print("revoked token \(name)")
        }
    }
}
