import Foundation
import VigilCollector
import VigilCore

/// The files and registrations the quickstart prepares.
enum QuickstartSetup {
    /// Registers the agent (or gives it a new token when it exists from an earlier run) and saves the token
    /// as `quickstart-agent.token` in the data directory.
    static func registerAgent(named name: String, collector: Collector) async throws -> String {
        let token = Tokens.generate(prefix: "vigil_agt_")
        do {
            _ = try await collector.store.registerAgent(name: name, tokenHash: Tokens.hash(token), nowMs: nowMs())
        } catch let error as StoreError where error.code == .alreadyExists {
            try await collector.store.replaceAgentToken(name: name, tokenHash: Tokens.hash(token))
        }
        return token
    }

    /// Writes the token file and an agent config probing the collector and the demo target.
    static func writeAgentConfig(dataDir: String, collector: String, demoURL: String, token: String) throws -> String {
        let tokenPath = (dataDir as NSString).appendingPathComponent("quickstart-agent.token")
        guard FileManager.default.createFile(atPath: tokenPath, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError(.usage, "cannot write \(tokenPath)")
        }
        let demoHost = URL(string: demoURL)?.host ?? "127.0.0.1"
        let demoPort = URL(string: demoURL)?.port ?? 7401
        let yaml = """
            # Written by `vigil quickstart`: an agent probing the collector itself and the demo target.
            collector: \(collector)
            token_file: quickstart-agent.token
            name: quickstart
            batch:
              max_heartbeats: 500
              max_delay: 2s
            checks:
              - name: collector-health
                service: vigil-collector
                kind: http
                url: \(collector)/healthz
                interval: 10s
                timeout: 3s
              - name: demo-http
                service: demo
                kind: http
                url: \(demoURL)/demo
                interval: 5s
                timeout: 2s
                expect_status: ["200-299"]
              - name: demo-port
                service: demo-port
                kind: tcp
                target: \(demoHost):\(demoPort)
                interval: 10s
                timeout: 2s

            """
        let path = (dataDir as NSString).appendingPathComponent("quickstart-agent.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What the quickstart prints: where everything runs, and commands to try from a second terminal.
    ///
    /// With the default address and data directory the commands work as they are from this folder (the
    /// CLI's defaults); otherwise an `export` line first points them at this run's collector and token.
    /// The README's "Run it" block shows the same commands (`scripts/newcomer_test.sh` runs them).
    static func banner(collector: String, dataDir: String, agentConfig: String, demo: DemoTarget, demoPort: Int) -> String {
        var lines = [
            "Vigil quickstart",
            "  collector   http://\(collector)   (SQLite and admin.token in \(dataDir))",
            "  demo        http://127.0.0.1:\(demoPort)/demo   (up \(demo.upSeconds)s, then down \(demo.downSeconds)s, repeating)",
            "  agent       \(agentConfig)",
            "",
        ]
        if let export = exportLine(collector: collector, dataDir: dataDir) {
            lines.append("From a second terminal (in the Vigil checkout, for swift run):")
            lines.append("  " + export)
        } else {
            lines.append("From a second terminal in this folder:")
        }
        lines += tryCommands.map { "  swift run vigil " + $0 }
        lines += ["Ctrl-C stops everything.", "", ""]
        return lines.joined(separator: "\n")
    }

    /// The commands the banner and the README suggest, after `vigil`.
    static let tryCommands = [
        "status", "uptime demo --window 10m", "uptime demo --explain", "outages", "report --window 1h", "agents",
    ]

    /// The CLI's defaults: the collector it talks to and the data directory it takes the token from.
    static let defaultListen = "127.0.0.1:7400"
    static let defaultDataDir = "./vigil-data"

    /// `export VIGIL_COLLECTOR=… VIGIL_TOKEN=…` for a run the CLI's defaults do not reach (another address
    /// or data directory); `nil` when they do. Values are single-quoted for the shell, the token file
    /// named by its absolute path so the line works from any folder.
    static func exportLine(collector: String, dataDir: String, currentDirectory: String = FileManager.default.currentDirectoryPath) -> String? {
        let sameDir = (dataDir as NSString).standardizingPath == (defaultDataDir as NSString).standardizingPath
        guard collector != defaultListen || !sameDir else { return nil }
        let absolute = dataDir.hasPrefix("/") ? dataDir : (currentDirectory as NSString).appendingPathComponent(dataDir)
        let tokenFile = ((absolute as NSString).standardizingPath as NSString).appendingPathComponent("admin.token")
        return "export VIGIL_COLLECTOR=\(shellQuoted("http://" + collector)) VIGIL_TOKEN=\"$(cat \(shellQuoted(tokenFile)))\""
    }

    /// `text` as one single-quoted shell word.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// An SLA for the demo service, so that reports show a verdict, a budget and a credit tier:
    /// 99.9 % per calendar month with the usual three credit tiers.
    static func demoCatalog() -> ServiceCatalog {
        var catalog = ServiceCatalog()
        var demo = ServicePolicy()
        demo.target = Percentage("99.9")
        demo.latency = LatencyObjective(thresholdMs: 250, target: Percentage("99")!)
        demo.credits = [("99.9", "10"), ("99", "25"), ("95", "100")].map {
            CreditTier(below: Percentage($0.0)!, credit: Percentage($0.1)!)
        }
        catalog.services["demo"] = demo
        return catalog
    }
}
