import ArgumentParser
import Foundation
import VigilAgent

/// `--collector`, `--token` and the TLS files, shared by every command that talks to a collector.
public struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Collector URL (env VIGIL_COLLECTOR).", valueName: "url"))
    var collector: String?

    @Option(help: ArgumentHelp(
        "Admin token (env VIGIL_TOKEN; default: the token in ./vigil-data/admin.token).", valueName: "token"
    ))
    var token: String?

    @Option(help: ArgumentHelp("CA file to verify an https:// collector with (env VIGIL_CA_FILE; default: system roots).", valueName: "pem"))
    var caFile: String?

    @Option(help: ArgumentHelp("Client certificate for a collector that asks for one (env VIGIL_CLIENT_CERT).", valueName: "pem"))
    var certFile: String?

    @Option(help: ArgumentHelp("The client certificate's key (env VIGIL_CLIENT_KEY).", valueName: "pem"))
    var keyFile: String?

    public init() {}

    /// TLS files from the flags or environment; nil when none is given.
    var tlsFiles: ClientTLSFiles? {
        let environment = ProcessInfo.processInfo.environment
        let files = ClientTLSFiles(
            caFile: caFile ?? environment["VIGIL_CA_FILE"], certificateFile: certFile ?? environment["VIGIL_CLIENT_CERT"],
            keyFile: keyFile ?? environment["VIGIL_CLIENT_KEY"]
        )
        return files == ClientTLSFiles() ? nil : files
    }

    /// The collector URL in force: flag, then VIGIL_COLLECTOR, then http://127.0.0.1:7400.
    var collectorURL: String {
        collector ?? ProcessInfo.processInfo.environment["VIGIL_COLLECTOR"] ?? "http://127.0.0.1:7400"
    }

    /// A client with the token in force: flag, then VIGIL_TOKEN, then ./vigil-data/admin.token.
    func client() throws -> CollectorClient {
        CollectorClient(baseURL: collectorURL, token: try resolvedToken(), tls: tlsFiles)
    }

    private func resolvedToken() throws -> String {
        if let token, !token.isEmpty { return token }
        if let token = ProcessInfo.processInfo.environment["VIGIL_TOKEN"], !token.isEmpty { return token }
        let dataDir = ProcessInfo.processInfo.environment["VIGIL_DATA_DIR"] ?? "./vigil-data"
        let path = (dataDir as NSString).appendingPathComponent("admin.token")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return token }
        }
        throw CLIError(.noToken, "no admin token: pass --token, set VIGIL_TOKEN, or run from the folder holding vigil-data/admin.token")
    }
}
