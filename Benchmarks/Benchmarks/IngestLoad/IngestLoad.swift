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
//   swift build -c release --product vigil-collector      # in the repository root
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --filter "ingest load.*"

/// A running collector process on a temporary data directory.
struct CollectorProcess {
    let process: Process
    let port: Int
    let adminToken: String
    let directory: String

    static func start() async throws -> CollectorProcess {
        let binary = ProcessInfo.processInfo.environment["VIGIL_COLLECTOR_BIN"]
            ?? FileManager.default.currentDirectoryPath + "/../.build/release/vigil-collector"
        precondition(FileManager.default.isExecutableFile(atPath: binary), "build it first: swift build -c release --product vigil-collector (or set VIGIL_COLLECTOR_BIN)")
        let directory = NSTemporaryDirectory() + "vigil-load-\(UUID().uuidString)"
        let port = Int.random(in: 20_000...60_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--data-dir", directory, "--listen", "127.0.0.1:\(port)", "--log-level", "error"]
        // VIGIL_LOAD_COLLECTOR_CONFIG: a collector config file, e.g. to change how often alerts are evaluated.
        if let config = ProcessInfo.processInfo.environment["VIGIL_LOAD_COLLECTOR_CONFIG"] { process.arguments! += ["--config", config] }
        try process.run()
        for _ in 0..<200 {
            if let token = try? String(contentsOfFile: directory + "/admin.token", encoding: .utf8),
               (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)))?.status == .ok {
                return CollectorProcess(process: process, port: port, adminToken: token.trimmingCharacters(in: .whitespacesAndNewlines), directory: directory)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        fatalError("the collector did not start on port \(port)")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

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
func send(
    _ bodies: [[[UInt8]]], from first: [Int], tokens: [String], port: Int, client: HTTPClient, seconds: Double, every: Duration? = nil
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
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/batches")
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(tokens[agent])")
                    request.headers.add(name: "Content-Type", value: "application/x-protobuf")
                    request.headers.add(name: "Content-Encoding", value: "deflate")
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let sent = clock.now
                    let response = try await client.execute(request, timeout: .seconds(60))
                    let answer = try await response.body.collect(upTo: 1 << 20)
                    let elapsed = clock.now - sent
                    result.latenciesMs.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1_000)
                    guard response.status == .ok,
                          let json = try JSONSerialization.jsonObject(with: Data(answer.readableBytesView)) as? [String: Any] else {
                        fatalError("batch refused: HTTP \(response.status.code) \(String(buffer: answer))")
                    }
                    result.accepted += json["accepted"] as? Int ?? 0
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

    Benchmark(
        "ingest load: \(plan.agents) agents × \(plan.checks) checks, \(plan.batchHeartbeats)-heartbeat batches, \(Int(seconds)) s",
        configuration: .init(metrics: [.wallClock, rate, p50, p99, cpu, rss, limit, share, wire, pacedRate, pacedP50, pacedP99])
    ) { benchmark in
        let bodies = await plan.encodeAll(startMs: Int64(Date().timeIntervalSince1970 * 1_000) - 86_400_000)
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
        let result = try await send(
            bodies, from: Array(repeating: 0, count: plan.agents), tokens: tokens, port: collector.port, client: client, seconds: seconds
        )
        benchmark.stopMeasurement()
        let cpuUsed = usage.cpuSeconds() - cpuBefore
        // Half the rate just measured: each agent one batch per (agents × batch size / (rate / 2)).
        let every = Duration.milliseconds(Int(Double(plan.agents * plan.batchHeartbeats) / (result.rate / 2) * 1_000))
        let paced = try await send(
            bodies, from: result.sent, tokens: tokens, port: collector.port, client: client, seconds: pacedSeconds, every: every
        )
        let peak = usage.peakRSSMB()
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
}
