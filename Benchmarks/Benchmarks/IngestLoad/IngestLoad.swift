import AsyncHTTPClient
import Benchmark
import BenchSupport
import Foundation
import NIOCore
import VigilCore
import VigilWire

// Issue 8's load generator: N agents × M checks posting real 1,000-heartbeat batches (protobuf + zlib)
// over HTTP keep-alive to a running vigil-collector (release build, its own process, SQLite), for
// VIGIL_LOAD_SECONDS (default 60). Reports accepted heartbeats/s, request latency p50/p99, the
// collector's CPU and peak RSS, and — in the same run — the limit: inflate + decode alone of the same
// batches on all cores, with ingest as a share of it.
//
// With VIGIL_LOAD_POSTGRES_URL (a PostgreSQL server) a second benchmark runs the same load, without the
// paced run or the peer, on one collector on SQLite, one on PostgreSQL and two on one PostgreSQL
// database, and prints two / one and PostgreSQL / SQLite (issue 20).
//
//   swift build -c release --product vigil-collector      # in the repository root
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --filter "ingest load.*"
//   VIGIL_PG_DURABLE=1 scripts/with_postgres.sh bash -c 'cd Benchmarks && VIGIL_LOAD_POSTGRES_URL=$VIGIL_TEST_POSTGRES_URL \
//       swift package --allow-writing-to-package-directory benchmark --filter "ingest load on PostgreSQL.*"'

/// A server process of the run, on a temporary directory and a random port.
struct ServerProcess {
    let process: Process
    let port: Int
    let directory: String

    /// Starts `binary` with `arguments(directory, port)` and waits until `ready(port, directory)`.
    static func start(
        _ name: String, binary: String, arguments: (String, Int) -> [String], ready: (Int, String) async -> Bool
    ) async throws -> ServerProcess {
        let directory = NSTemporaryDirectory() + "vigil-load-\(UUID().uuidString)"
        let port = Int.random(in: 20_000...60_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments(directory, port)
        try process.run()
        for _ in 0..<200 {
            if await ready(port, directory) { return ServerProcess(process: process, port: port, directory: directory) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        fatalError("\(name) did not start on port \(port)")
    }

    /// Whether `GET url` answers 200.
    static func answers(_ url: String) async -> Bool {
        (try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1)))?.status == .ok
    }

    /// Stops it and deletes its data (once: again does nothing).
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A running collector process on a temporary data directory.
struct CollectorProcess {
    let server: ServerProcess
    let adminToken: String

    var process: Process { server.process }
    var port: Int { server.port }

    /// Starts one on SQLite, or on `storage` (a PostgreSQL URL) when given. Only the first collector on
    /// a database writes the admin token file; later ones (`replica`) get an empty token.
    static func start(storage: String? = nil, replica: Bool = false) async throws -> CollectorProcess {
        let binary = ProcessInfo.processInfo.environment["VIGIL_COLLECTOR_BIN"]
            ?? FileManager.default.currentDirectoryPath + "/../.build/release/vigil-collector"
        precondition(FileManager.default.isExecutableFile(atPath: binary), "build it first: swift build -c release --product vigil-collector (or set VIGIL_COLLECTOR_BIN)")
        let server = try await ServerProcess.start("the collector", binary: binary, arguments: { directory, port in
            var arguments = ["--data-dir", directory, "--listen", "127.0.0.1:\(port)", "--log-level", "error"]
            // VIGIL_LOAD_COLLECTOR_CONFIG: a collector config file, e.g. to change how often alerts are evaluated.
            if let config = ProcessInfo.processInfo.environment["VIGIL_LOAD_COLLECTOR_CONFIG"] { arguments += ["--config", config] }
            if let storage { arguments += ["--storage", storage] }
            return arguments
        }, ready: { port, directory in
            guard replica || FileManager.default.fileExists(atPath: directory + "/admin.token") else { return false }
            return await ServerProcess.answers("http://127.0.0.1:\(port)/healthz")
        })
        let token = replica ? "" : try String(contentsOfFile: server.directory + "/admin.token", encoding: .utf8)
        return CollectorProcess(server: server, adminToken: token.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func stop() { server.stop() }

    /// Registers an agent and returns its token.
    func register(_ name: String, client: HTTPClient) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/agents")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(adminToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"name":"\#(name)"}"#))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 16)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return json?["token"] as? String ?? ""
    }
}

/// A VictoriaMetrics single-node server: the peer measured in the same run (`apt-get install
/// victoria-metrics`; VIGIL_VICTORIA_METRICS_BIN names another binary).
enum VictoriaMetricsProcess {
    static var binary: String {
        ProcessInfo.processInfo.environment["VIGIL_VICTORIA_METRICS_BIN"] ?? "/usr/bin/victoria-metrics"
    }

    static func start() async throws -> ServerProcess {
        precondition(
            FileManager.default.isExecutableFile(atPath: binary),
            "no VictoriaMetrics at \(binary): apt-get install victoria-metrics, set VIGIL_VICTORIA_METRICS_BIN, or VIGIL_LOAD_PEER=0 to skip the peer"
        )
        return try await ServerProcess.start("VictoriaMetrics", binary: binary, arguments: { directory, port in
            ["-storageDataPath", directory, "-httpListenAddr", "127.0.0.1:\(port)", "-loggerLevel", "ERROR"]
        }, ready: { port, _ in await ServerProcess.answers("http://127.0.0.1:\(port)/health") })
    }
}

/// What one sending run measured.
struct LoadResult {
    var accepted = 0
    /// Batches each agent sent, so a later run carries on with the next ones.
    var sent: [Int] = []
    var latenciesMs: [Double] = []
    var seconds = 0.0

    var rate: Double { Double(accepted) / max(seconds, 1e-9) }

    func latency(_ quantile: Double) -> Double {
        let sorted = latenciesMs.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))]
    }
}

/// Posts each agent's batches in order from `first[agent]`, one request at a time per agent, until the
/// batches or the time run out; with `every`, each agent sends at most one batch per `every` (a paced run).
/// Where a load run posts, and what an answer says was taken.
struct LoadTarget: Sendable {
    /// The URL agent `n` posts to.
    var url: @Sendable (Int) -> String
    /// The headers of agent `n`'s requests.
    var headers: @Sendable (Int) -> [(String, String)]
    /// Heartbeats (rows) the answer accepted; `nil` when it refused the request.
    var accepted: @Sendable (_ status: UInt, _ answer: ByteBuffer) -> Int?

    /// A Vigil collector's `/v1/batches`, each agent with its token; with several ports (replicas on one
    /// database), agent `n` posts to port `n % ports.count`.
    static func vigil(port: Int, tokens: [String]) -> LoadTarget {
        vigil(ports: [port], tokens: tokens)
    }

    static func vigil(ports: [Int], tokens: [String]) -> LoadTarget {
        LoadTarget(
            url: { agent in "http://127.0.0.1:\(ports[agent % ports.count])/v1/batches" },
            headers: { agent in
                [("Authorization", "Bearer \(tokens[agent])"), ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "deflate")]
            },
            accepted: { status, answer in
                guard status == 200, let json = try? JSONSerialization.jsonObject(with: Data(answer.readableBytesView)) as? [String: Any] else {
                    return nil
                }
                return json["accepted"] as? Int ?? 0
            }
        )
    }

    /// VictoriaMetrics' Influx line protocol endpoint: `rows` rows a request, taken when it answers 204.
    static func victoriaMetrics(port: Int, rows: Int) -> LoadTarget {
        LoadTarget(
            url: { _ in "http://127.0.0.1:\(port)/write" },
            headers: { _ in [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")] },
            accepted: { status, _ in status == 204 ? rows : nil }
        )
    }
}

func send(
    _ bodies: [[[UInt8]]], from first: [Int], to target: LoadTarget, client: HTTPClient, seconds: Double, every: Duration? = nil
) async throws -> LoadResult {
    let clock = ContinuousClock()
    let started = clock.now
    let deadline = started + .milliseconds(Int(seconds * 1_000))
    let parts = try await withThrowingTaskGroup(of: (Int, LoadResult).self) { group in
        for (agent, agentBodies) in bodies.enumerated() {
            group.addTask {
                var result = LoadResult()
                // Paced agents start at random points of their first period, as real ones do.
                let everyMs = every.map { Int($0 / .milliseconds(1)) } ?? 0
                var next = started + .milliseconds(Int.random(in: 0...everyMs))
                var count = 0
                for body in agentBodies[first[agent]...] where clock.now < deadline {
                    if let every {
                        try await Task.sleep(until: next)
                        next += every
                    }
                    count += 1
                    var request = HTTPClientRequest(url: target.url(agent))
                    request.method = .POST
                    for (name, value) in target.headers(agent) { request.headers.add(name: name, value: value) }
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let sent = clock.now
                    let response = try await client.execute(request, timeout: .seconds(60))
                    let answer = try await response.body.collect(upTo: 1 << 20)
                    let elapsed = clock.now - sent
                    result.latenciesMs.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1_000)
                    guard let accepted = target.accepted(response.status.code, answer) else {
                        fatalError("batch refused: HTTP \(response.status.code) \(String(buffer: answer))")
                    }
                    result.accepted += accepted
                }
                return (agent, result.with(sent: count))
            }
        }
        return try await group.reduce(into: [(Int, LoadResult)]()) { $0.append($1) }
    }
    let elapsed = clock.now - started
    var total = LoadResult()
    total.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    total.sent = first
    for (agent, part) in parts {
        total.accepted += part.accepted
        total.latenciesMs += part.latenciesMs
        total.sent[agent] += part.sent[0]
    }
    return total
}

extension LoadResult {
    func with(sent count: Int) -> LoadResult {
        var copy = self
        copy.sent = [count]
        return copy
    }
}

/// The limit: inflate + decode of the same bodies on every core, heartbeats per second.
func decodeLimit(_ bodies: [[[UInt8]]], batches: Int) async throws -> Double {
    let flat = Array(bodies.joined().prefix(batches))
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let clock = ContinuousClock()
    let started = clock.now
    let heartbeats = try await withThrowingTaskGroup(of: Int.self) { group in
        for core in 0..<cores {
            group.addTask {
                var count = 0
                for index in stride(from: core, to: flat.count, by: cores) {
                    let inflater = try Inflater(format: .zlib, limit: BatchCodec.defaultMaxBodyBytes)
                    try inflater.update(flat[index])
                    count += try BatchCodec.decode(try inflater.finish(), format: .protobuf).heartbeats.count
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = clock.now - started
    return Double(heartbeats) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], timeUnits: .seconds, warmupIterations: 0, maxDuration: .seconds(600), maxIterations: 1
    )
    let plan = LoadPlan.fromEnvironment()
    let seconds = Double(ProcessInfo.processInfo.environment["VIGIL_LOAD_SECONDS"] ?? "") ?? 60
    let rate = BenchmarkMetric.custom("Accepted heartbeats/s", useScalingFactor: false)
    let p50 = BenchmarkMetric.custom("Request latency p50 (µs)", useScalingFactor: false)
    let p99 = BenchmarkMetric.custom("Request latency p99 (µs)", useScalingFactor: false)
    let cpu = BenchmarkMetric.custom("Collector CPU (% of one core)", useScalingFactor: false)
    let rss = BenchmarkMetric.custom("Collector peak RSS (MB)", useScalingFactor: false)
    let limit = BenchmarkMetric.custom("Limit: inflate + decode heartbeats/s", useScalingFactor: false)
    let share = BenchmarkMetric.custom("Ingest / limit (%)", useScalingFactor: false)
    let wire = BenchmarkMetric.custom("Wire bytes per heartbeat (×100)", useScalingFactor: false)
    let pacedRate = BenchmarkMetric.custom("Paced at half rate: heartbeats/s", useScalingFactor: false)
    let pacedP50 = BenchmarkMetric.custom("Paced at half rate: latency p50 (µs)", useScalingFactor: false)
    let pacedP99 = BenchmarkMetric.custom("Paced at half rate: latency p99 (µs)", useScalingFactor: false)
    let pacedSeconds = Double(ProcessInfo.processInfo.environment["VIGIL_LOAD_PACED_SECONDS"] ?? "") ?? 20
    // The peer: VictoriaMetrics ingesting the same heartbeats as gzip Influx lines, same connections.
    let measurePeer = ProcessInfo.processInfo.environment["VIGIL_LOAD_PEER"] != "0"
    let peerRate = BenchmarkMetric.custom("Peer: VictoriaMetrics rows/s", useScalingFactor: false)
    let peerCPU = BenchmarkMetric.custom("Peer: VictoriaMetrics CPU (% of one core)", useScalingFactor: false)
    let peerRatio = BenchmarkMetric.custom("Vigil / VictoriaMetrics (%)", useScalingFactor: false)

    Benchmark(
        "ingest load: \(plan.agents) agents × \(plan.checks) checks, \(plan.batchHeartbeats)-heartbeat batches, \(Int(seconds)) s",
        configuration: .init(metrics: [.wallClock, rate, p50, p99, cpu, rss, limit, share, wire, pacedRate, pacedP50, pacedP99]
            + (measurePeer ? [peerRate, peerCPU, peerRatio] : []))
    ) { benchmark in
        let startMs = Int64(Date().timeIntervalSince1970 * 1_000) - 86_400_000
        let bodies = await plan.encodeAll(startMs: startMs)
        let steady = bodies.flatMap { $0.dropFirst() }
        let wireBytes = Double(steady.reduce(0) { $0 + $1.count }) / Double(max(1, steady.count * plan.beatsPerCheck * plan.checks))
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = plan.agents
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let collector = try await CollectorProcess.start()
        defer { collector.stop() }
        var tokens: [String] = []
        for agent in 0..<plan.agents { tokens.append(try await collector.register("load-\(agent)", client: client)) }
        let usage = ProcessUsage(pid: collector.process.processIdentifier)
        let cpuBefore = usage.cpuSeconds()

        benchmark.startMeasurement()
        let target = LoadTarget.vigil(port: collector.port, tokens: tokens)
        let result = try await send(bodies, from: Array(repeating: 0, count: plan.agents), to: target, client: client, seconds: seconds)
        benchmark.stopMeasurement()
        let cpuUsed = usage.cpuSeconds() - cpuBefore
        // Half the rate just measured: each agent one batch per (agents × batch size / (rate / 2)).
        let every = Duration.milliseconds(Int(Double(plan.agents * plan.batchHeartbeats) / (result.rate / 2) * 1_000))
        let paced = try await send(bodies, from: result.sent, to: target, client: client, seconds: pacedSeconds, every: every)
        let peak = usage.peakRSSMB()
        collector.stop()
        if measurePeer {
            let lines = await plan.influxAll(startMs: startMs)
            let peer = try await VictoriaMetricsProcess.start()
            let peerUsage = ProcessUsage(pid: peer.process.processIdentifier)
            let peerCPUBefore = peerUsage.cpuSeconds()
            let taken = try await send(
                lines, from: Array(repeating: 0, count: plan.agents), to: .victoriaMetrics(port: peer.port, rows: plan.beatsPerCheck * plan.checks),
                client: client, seconds: seconds
            )
            benchmark.measurement(peerCPU, Int((peerUsage.cpuSeconds() - peerCPUBefore) / taken.seconds * 100))
            peer.stop()
            benchmark.measurement(peerRate, Int(taken.rate))
            benchmark.measurement(peerRatio, Int(result.rate / taken.rate * 100))
        }
        try await client.shutdown()
        let limitRate = try await decodeLimit(bodies, batches: result.latenciesMs.count)
        precondition(paced.latenciesMs.count > plan.agents, "the paced run ran out of batches: raise VIGIL_LOAD_MAX_HEARTBEATS")

        benchmark.measurement(rate, Int(result.rate))
        benchmark.measurement(p50, Int(result.latency(0.5) * 1_000))
        benchmark.measurement(p99, Int(result.latency(0.99) * 1_000))
        benchmark.measurement(cpu, Int(cpuUsed / result.seconds * 100))
        benchmark.measurement(rss, Int(peak))
        benchmark.measurement(limit, Int(limitRate))
        benchmark.measurement(share, Int(result.rate / limitRate * 100))
        benchmark.measurement(wire, Int(wireBytes * 100))
        benchmark.measurement(pacedRate, Int(paced.rate))
        benchmark.measurement(pacedP50, Int(paced.latency(0.5) * 1_000))
        benchmark.measurement(pacedP99, Int(paced.latency(0.99) * 1_000))
    }

    // Issue 20's PostgreSQL goal, in one run: the same load on one collector on SQLite, one on
    // PostgreSQL and two on one PostgreSQL database (agents split between them), each on a fresh store.
    // VIGIL_LOAD_POSTGRES_URL names a server (scripts/with_postgres.sh with VIGIL_PG_DURABLE=1 starts
    // one with fsync on); each run gets a new database on it.
    if let server = ProcessInfo.processInfo.environment["VIGIL_LOAD_POSTGRES_URL"] {
        let sqliteRate = BenchmarkMetric.custom("SQLite, one collector: heartbeats/s", useScalingFactor: false)
        let oneRate = BenchmarkMetric.custom("PostgreSQL, one collector: heartbeats/s", useScalingFactor: false)
        let twoRate = BenchmarkMetric.custom("PostgreSQL, two collectors: heartbeats/s", useScalingFactor: false)
        let scaling = BenchmarkMetric.custom("PostgreSQL, two / one collector (%)", useScalingFactor: false)
        let share = BenchmarkMetric.custom("PostgreSQL one collector / SQLite (%)", useScalingFactor: false)
        let twoCPU = BenchmarkMetric.custom("Two collectors' CPU (% of one core)", useScalingFactor: false)
        let oneServerCPU = BenchmarkMetric.custom("PostgreSQL server CPU, one collector (% of one core)", useScalingFactor: false)
        let twoServerCPU = BenchmarkMetric.custom("PostgreSQL server CPU, two collectors (% of one core)", useScalingFactor: false)
        let oneBusy = BenchmarkMetric.custom("Machine busy, one collector (% of all cores)", useScalingFactor: false)
        let twoBusy = BenchmarkMetric.custom("Machine busy, two collectors (% of all cores)", useScalingFactor: false)
        Benchmark(
            "ingest load on PostgreSQL: \(plan.agents) agents × \(plan.checks) checks, one and two collectors, \(Int(seconds)) s each",
            configuration: .init(metrics: [.wallClock, sqliteRate, oneRate, twoRate, scaling, share, twoCPU, oneServerCPU, twoServerCPU, oneBusy, twoBusy])
        ) { benchmark in
            let bodies = await plan.encodeAll(startMs: Int64(Date().timeIntervalSince1970 * 1_000) - 86_400_000)
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = plan.agents
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            // Whether a second collector can help at all on this machine: the server's CPU and how
            // busy all cores were (load generator included) over the same seconds.
            func run(storage: String?, collectors count: Int) async throws -> (rate: Double, cpu: Double, server: Double, busy: Double) {
                var collectors = [try await CollectorProcess.start(storage: storage)]
                defer { for collector in collectors { collector.stop() } }
                for _ in 1..<count { collectors.append(try await CollectorProcess.start(storage: storage, replica: true)) }
                var tokens: [String] = []
                for agent in 0..<plan.agents { tokens.append(try await collectors[0].register("load-\(agent)", client: client)) }
                let usages = collectors.map { ProcessUsage(pid: $0.process.processIdentifier) }
                let before = usages.map { $0.cpuSeconds() }
                let serverBefore = ProcessUsage.cpuSeconds(command: "postgres")
                let machineBefore = ProcessUsage.machineSeconds()
                let result = try await send(
                    bodies, from: Array(repeating: 0, count: plan.agents), to: .vigil(ports: collectors.map(\.port), tokens: tokens),
                    client: client, seconds: seconds
                )
                let used = zip(usages, before).map { $0.cpuSeconds() - $1 }.reduce(0, +)
                let server = ProcessUsage.cpuSeconds(command: "postgres") - serverBefore
                let machine = ProcessUsage.machineSeconds()
                let busy = (machine.busy - machineBefore.busy) / max(machine.total - machineBefore.total, 1e-9)
                return (result.rate, used / result.seconds, server / result.seconds, busy)
            }
            benchmark.startMeasurement()
            let sqlite = try await run(storage: nil, collectors: 1)
            let one = try await run(storage: try PostgresDatabase.create(on: server), collectors: 1)
            let two = try await run(storage: try PostgresDatabase.create(on: server), collectors: 2)
            benchmark.stopMeasurement()
            try await client.shutdown()
            benchmark.measurement(sqliteRate, Int(sqlite.rate))
            benchmark.measurement(oneRate, Int(one.rate))
            benchmark.measurement(twoRate, Int(two.rate))
            benchmark.measurement(scaling, Int(two.rate / one.rate * 100))
            benchmark.measurement(share, Int(one.rate / sqlite.rate * 100))
            benchmark.measurement(twoCPU, Int(two.cpu * 100))
            benchmark.measurement(oneServerCPU, Int(one.server * 100))
            benchmark.measurement(twoServerCPU, Int(two.server * 100))
            benchmark.measurement(oneBusy, Int(one.busy * 100))
            benchmark.measurement(twoBusy, Int(two.busy * 100))
        }
    }
}

/// A new database on a PostgreSQL server, made with psql.
enum PostgresDatabase {
    /// Creates one and returns its URL (the server's URL with the new database's name).
    static func create(on server: String) throws -> String {
        let name = "vigil_load_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        psql.arguments = ["psql", server, "-qc", "CREATE DATABASE \(name)"]
        try psql.run()
        psql.waitUntilExit()
        precondition(psql.terminationStatus == 0, "psql could not create a database on \(server)")
        let parts = server.split(separator: "?", maxSplits: 1).map(String.init)
        let base = parts[0][..<parts[0].lastIndex(of: "/")!]
        return base + "/" + name + (parts.count > 1 ? "?" + parts[1] : "")
    }
}
