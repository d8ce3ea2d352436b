import AsyncHTTPClient
import Benchmark
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import VigilCollector
import VigilCore
import VigilWire

// Issue 19's figures: the read routes with 10,000 agent-made services (the attack made 50,000, after
// which /status took 66 s and 259 MiB and /v1/services 33 s). A real collector (in this process, over
// real HTTP on loopback, SQLite in a temporary directory) is loaded through its batch route with
// VIGIL_BENCH_READ_SERVICES (default 10,000) services, one check each, an hour of minute probes; then
// each route is timed cold (nothing cached) and again. Goal: each < 1 s, RSS < 300 MB. The baseline,
// in the same run, is the same collector with a tenth of the services: the ratio says how each route
// grows with the number of services (10× would be linear).

let serviceCount = Int(ProcessInfo.processInfo.environment["VIGIL_BENCH_READ_SERVICES"] ?? "") ?? 10_000
let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

actor PortBox {
    var port: Int?
    func set(_ value: Int) { port = value }
}

/// A collector with `services` services loaded, serving on loopback.
struct LoadedCollector {
    let port: Int
    let token: String
    let task: Task<Void, any Error>
    let directory: String
    let services: Int
    let store: any Store

    static func start(services: Int) async throws -> LoadedCollector {
        let directory = NSTemporaryDirectory() + "vigil-read-\(UUID().uuidString)"
        let loaded = try await open(directory: directory, services: services)
        try await loaded.load(services: services)
        return loaded
    }

    /// A collector serving the data in `directory` (loaded or not yet).
    static func open(directory: String, services: Int) async throws -> LoadedCollector {
        var configuration = CollectorConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        configuration.rateLimit = nil
        configuration.limits.services = services * 2
        configuration.limits.servicesPerAgent = services * 2
        configuration.limits.checksPerAgent = services * 2
        configuration.publicAccess.statusPage = true
        configuration.publicAccess.metrics = true
        let box = PortBox()
        let collector = try await Collector(configuration: configuration, logger: quiet) { await box.set($0) }
        let group = ServiceGroup(services: [collector], gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet)
        let task = Task { try await group.run() }
        var port: Int?
        while port == nil {
            try await Task.sleep(for: .milliseconds(20))
            port = await box.port
        }
        return LoadedCollector(port: port!, token: collector.adminToken, task: task, directory: directory, services: services, store: collector.store)
    }

    /// The same data served by a new collector: nothing of the old one's caches (the status page's, the
    /// current SLA periods shared by /status and /metrics) survives, so each route is timed really cold.
    func restarted() async throws -> LoadedCollector {
        task.cancel()
        _ = await task.result
        return try await Self.open(directory: directory, services: services)
    }

    func request(_ path: String, body: [UInt8]? = nil, token: String? = nil, type: String? = nil) async throws -> (Int, Int) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if body != nil { request.method = .POST }
        request.headers.add(name: "Authorization", value: "Bearer \(token ?? self.token)")
        if let type {
            request.headers.add(name: "Content-Type", value: type)
            // Batches go as the agent sends them: protobuf, zlib-compressed.
            if type == "application/x-protobuf" { request.headers.add(name: "Content-Encoding", value: "deflate") }
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        let bytes = try await response.body.collect(upTo: 1 << 30)
        return (Int(response.status.code), bytes.readableBytes)
    }

    /// Ten agents, each with a tenth of the services: one check per service, a probe a minute for the
    /// last hour, one service in fifty down for the last ten minutes; sent as real batches.
    func load(services: Int) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let perAgent = services / 10
        for agent in 0..<10 {
            var http = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/agents")
            http.method = .POST
            http.headers.add(name: "Authorization", value: "Bearer \(token)")
            http.headers.add(name: "Content-Type", value: "application/json")
            http.body = .bytes(ByteBuffer(string: #"{"name":"agent-\#(agent)"}"#))
            let response = try await HTTPClient.shared.execute(http, timeout: .seconds(60))
            let created = try JSONDecoder().decode(AgentCreated.self, from: Data(try await response.body.collect(upTo: 1 << 16).readableBytesView))
            let checks = (0..<perAgent).map { index in
                CheckDefinition(
                    id: UInt32(index + 1), name: "probe-\(index)", service: String(format: "service-%05d", agent * perAgent + index),
                    kind: "http", target: "http://x", intervalMs: 60_000, timeoutMs: 5_000
                )
            }
            var seq: UInt64 = 1
            for minute in stride(from: 60, to: 0, by: -10) {
                var beats: [Heartbeat] = []
                for index in 0..<perAgent {
                    for step in 0..<10 {
                        let at = now - Int64(minute - step) * 60_000
                        let down = index % 50 == 0 && minute - step <= 10
                        beats.append(Heartbeat(check: UInt32(index + 1), timestampMs: at, status: down ? .down : .up, latencyUs: 20_000))
                    }
                }
                let batch = Batch(sessionID: "s", seq: seq, agentVersion: "bench", checks: seq == 1 ? checks : [], heartbeats: beats)
                let (status, size) = try await request("/v1/batches", body: BatchCodec.encodeForShipping(batch), token: created.token, type: "application/x-protobuf")
                guard status == 200 else { fatalError("batch refused: \(status), \(size) bytes") }
                seq += 1
            }
        }
    }

    func stop() {
        task.cancel()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// This process's peak resident set (VmHWM), MB: the collector and the benchmark harness together.
func peakRSSMB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
    return kb / 1_024
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Times each route on `collector`: cold (the first request to a collector just started on the data,
/// so no cache shared between routes helps) and warm (the next). Returns the collector last used.
func timeRoutes(_ collector: LoadedCollector) async throws -> (figures: [(route: String, cold: Double, warm: Double, bytes: Int)], collector: LoadedCollector) {
    let routes = ["/status", "/v1/services", "/v1/report?window=1d", "/metrics"]
    var results: [(String, Double, Double, Int)] = []
    let clock = ContinuousClock()
    var current = collector
    for route in routes {
        current = try await current.restarted()
        var start = clock.now
        let (status, bytes) = try await current.request(route)
        guard status == 200 else { fatalError("\(route): \(status)") }
        let cold = seconds(clock.now - start)
        start = clock.now
        _ = try await current.request(route)
        results.append((route, cold, seconds(clock.now - start), bytes))
    }
    return (results, current)
}

/// Seconds `evaluateAll` takes over every service's current period, median of `runs`.
func timeCurrentPeriods(_ store: any Store, probes: SLAReporter.ProbeDetail, method: SLAMethod = .time, runs: Int = 3) async throws -> Double {
    var catalog = ServiceCatalog()
    catalog.defaults.method = method
    let reporter = SLAReporter(store: store, catalog: catalog)
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<runs {
        let start = clock.now
        let reports = try await reporter.evaluateAll(SLAReporter.Request(probes: probes), nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        times.append(seconds(clock.now - start))
        guard reports.count == serviceCount else { fatalError("\(reports.count) services evaluated") }
    }
    return times.sorted()[times.count / 2]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(maxDuration: .seconds(3600), maxIterations: 1)

    Benchmark("read routes with \(serviceCount) services") { benchmark in
        let baselineCollector = try await LoadedCollector.start(services: serviceCount / 10)
        let (baseline, baselineLast) = try await timeRoutes(baselineCollector)
        baselineLast.stop()
        let loaded = try await LoadedCollector.start(services: serviceCount)
        benchmark.startMeasurement()
        let (figures, collector) = try await timeRoutes(loaded)
        benchmark.stopMeasurement()
        let rss = peakRSSMB()
        // What /status and /metrics share, read as they read it now (no latency histograms) against
        // what they read before (every rollup row's histogram), in the same run; and SLAs that count
        // probes, whose counts are summed by the database.
        let methodOnly = try await timeCurrentPeriods(collector.store, probes: .methodOnly)
        let full = try await timeCurrentPeriods(collector.store, probes: .full)
        let occurrences = try await timeCurrentPeriods(collector.store, probes: .methodOnly, method: .occurrences)
        collector.stop()
        print(String(
            format: "FIGURE current SLA periods of %d services (shared by /status and /metrics): %.3f s as read now, %.3f s with every latency histogram (before); ratio %.2f",
            serviceCount, methodOnly, full, methodOnly / max(full, 1e-9)
        ))
        print(String(
            format: "FIGURE the same with SLAs counting probes (occurrences, counts summed by the database): %.3f s; ratio %.2f to the full read",
            occurrences, occurrences / max(full, 1e-9)
        ))
        for (figure, base) in zip(figures, baseline) {
            let worst = max(figure.cold, figure.warm)
            print(String(
                format: "FIGURE %@ with %d services: cold %.3f s, warm %.3f s, %d bytes (goal < 1 s, %@); baseline %d services cold %.3f s; ratio %.1f×",
                figure.route, serviceCount, figure.cold, figure.warm, figure.bytes, worst < 1 ? "goal met" : "GOAL MISSED",
                serviceCount / 10, base.cold, figure.cold / max(base.cold, 1e-9)
            ))
        }
        print(String(format: "FIGURE peak RSS of collector and harness: %.0f MB (goal < 300 MB, %@)", rss, rss < 300 ? "goal met" : "GOAL MISSED"))
    }
}
