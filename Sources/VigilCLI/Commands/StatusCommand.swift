import ArgumentParser
import VigilWire

/// `vigil status`: services, their state now and uptime over 24 h.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every service, its current state and its availability over the last 24 hours.",
        discussion: """
            Checks that are not up are listed below the services, with their last message. \
            States are coloured on a terminal (NO_COLOR turns it off).

            Examples:
              vigil status
              vigil status --json | jq '.[] | select(.state != "up") | .service'
              vigil status --collector https://vigil.example.org --ca-file ca.pem
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let services = try await connection.client().getAll("/v1/services", as: [ServiceStatusInfo].self)
        print(json ? try JSONOutput.render(services) : Self.render(services))
    }

    static func render(_ services: [ServiceStatusInfo]) -> String {
        guard !services.isEmpty else { return "No services yet: no agent has reported a check." }
        var table = Table("SERVICE", "STATE", "UPTIME 24H", "DOWN 24H", "COVERAGE", "CHECKS")
        table.colors[1] = Terminal.stateColor
        for service in services {
            table.add(
                service.service, service.state.uppercased(), Format.percent(service.last24h.availability),
                Format.duration(seconds: service.last24h.downSeconds), Format.percent(service.last24h.coverage, digits: 1),
                "\(service.checks.count)"
            )
        }
        var text = table.render()
        let troubled = services.flatMap { service in service.checks.filter { $0.state != "up" }.map { (service.service, $0) } }
        if !troubled.isEmpty {
            var checks = Table("SERVICE", "CHECK", "AGENT", "STATE", "LAST SEEN", "MESSAGE")
            checks.colors[3] = Terminal.stateColor
            for (service, check) in troubled {
                checks.add(service, check.name, check.agent, check.state.uppercased(), check.lastHeartbeat ?? "never", check.message ?? "")
            }
            text += "\n\n" + checks.render()
        }
        return text
    }
}
