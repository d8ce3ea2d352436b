import ArgumentParser
import VigilWire

/// `vigil replicas`: the collectors sharing the store, and which one leads.
struct ReplicasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicas",
        abstract: "Show the collectors sharing the store and which one leads alerting.",
        discussion: """
            Examples:
              vigil replicas
              vigil replicas --within 10m --json
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Show collectors that reported within this long (default 1m).")
    var within = "1m"

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let replicas = try await connection.client().get("/v1/replicas?within=\(within)", as: [ReplicaInfo].self)
        print(json ? try JSONOutput.render(replicas) : Self.render(replicas))
    }

    static func render(_ replicas: [ReplicaInfo]) -> String {
        guard !replicas.isEmpty else { return "No collector reported recently." }
        var table = Table("ADDRESS", "ROLE", "VERSION", "STARTED", "LAST SEEN", "INSTANCE")
        for replica in replicas {
            table.add(replica.address, replica.leader ? "leader" : "replica", replica.version, replica.startedAt, replica.lastSeen, replica.instance)
        }
        return table.render()
    }
}
