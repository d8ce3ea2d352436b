import ArgumentParser
import Foundation
import VigilConfig
import VigilWire

/// `vigil slo export` and `vigil slo import FILE`: availability SLAs as OpenSLO v1.
struct SLOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo",
        abstract: "Export the services' SLAs as OpenSLO v1, or read OpenSLO back into collector config.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write an OpenSLO v1 SLO document per service with an SLA target.",
            discussion: """
                Examples:
                  vigil slo export > slos.yaml
                  vigil slo export --service api --output api-slo.yaml
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Option(help: "Only this service.")
        var service: String?

        @Option(help: "Write to this file instead of standard output.")
        var output: String?

        func run() async throws {
            var slos = try await connection.client().get("/v1/slos", as: [SLODefinitionInfo].self)
            if let service { slos = slos.filter { $0.service == service } }
            guard !slos.isEmpty else {
                throw CLIError(.usage, service.map { "no SLA target is set for \"\($0)\"" } ?? "no service has an SLA target; set services.NAME.sla.target in the collector config")
            }
            let text = OpenSLO.export(slos)
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                FileHandle.standardError.write(Data("wrote \(slos.count) SLO document(s) to \(output)\n".utf8))
            } else {
                print(text, terminator: "")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Read OpenSLO v1 SLO documents and print them as collector config (services: … sla: …).",
            discussion: """
                Paste the output into the collector config (or merge it), then restart the collector.
                Example:
                  vigil slo import slos.yaml >> collector.yaml
                """
        )

        @Argument(help: "An OpenSLO YAML file (one or more documents).")
        var file: String

        func run() throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CLIError(.usage, "cannot read \(file): \(error.localizedDescription)")
            }
            do {
                print(try OpenSLO.importConfig(text, file: file), terminator: "")
            } catch {
                throw CLIError(.usage, error.description)
            }
        }
    }
}
