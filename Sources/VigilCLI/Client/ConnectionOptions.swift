import ArgumentParser
import Foundation

/// `--collector` and `--token`, shared by every command that talks to a collector.
public struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Collector URL (env VIGIL_COLLECTOR).", valueName: "url"))
    var collector: String?

    @Option(help: ArgumentHelp(
        "Admin token (env VIGIL_TOKEN; default: the token in ./vigil-data/admin.token).", valueName: "token"
    ))
    var token: String?

    public init() {}

    /// The collector URL in force: flag, then VIGIL_COLLECTOR, then http://127.0.0.1:7400.
    var collectorURL: String {
        collector ?? ProcessInfo.processInfo.environment["VIGIL_COLLECTOR"] ?? "http://127.0.0.1:7400"
    }

    /// A client with the token in force: flag, then VIGIL_TOKEN, then ./vigil-data/admin.token.
    func client() throws -> CollectorClient {
        if let token, !token.isEmpty { return CollectorClient(baseURL: collectorURL, token: token) }
        if let token = ProcessInfo.processInfo.environment["VIGIL_TOKEN"], !token.isEmpty {
            return CollectorClient(baseURL: collectorURL, token: token)
        }
        let dataDir = ProcessInfo.processInfo.environment["VIGIL_DATA_DIR"] ?? "./vigil-data"
        let path = (dataDir as NSString).appendingPathComponent("admin.token")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return CollectorClient(baseURL: collectorURL, token: token) }
        }
        throw CLIError(.noToken, "no admin token: pass --token, set VIGIL_TOKEN, or run from the folder holding vigil-data/admin.token")
    }
}
