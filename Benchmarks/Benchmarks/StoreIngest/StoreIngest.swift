import Benchmark
import Foundation
import Logging
import PostgresNIO
import VigilCollector
import VigilCore

// Issue 7's figure: ingest throughput on PostgreSQL beside SQLite, same load, same run.
//
// The load: AGENTS agents shipping at once, each a batch at a time as a real agent does, every batch
// 10 heartbeats for each of its 10 checks (100 heartbeats, 10 s of 1 s probes, with a state change
// every 30 s). Both stores get exactly the same batches; each iteration measures SQLite first, then
// PostgreSQL, and reports both rates and their ratio. The PostgreSQL server comes from
// VIGIL_BENCH_POSTGRES_URL (or VIGIL_TEST_POSTGRES_URL): run it under scripts/with_postgres.sh with
// VIGIL_PG_DURABLE=1 so the server syncs its WAL like a production one.

let agentCount = Int(ProcessInfo.processInfo.environment["VIGIL_BENCH_AGENTS"] ?? "") ?? 16
let batchesPerAgent = Int(ProcessInfo.processInfo.environment["VIGIL_BENCH_BATCHES"] ?? "") ?? 100
let checksPerAgent = 10
let beatsPerCheck = 10

/// The batches of one agent, in order.
func batches(agent: Int) -> [Batch] {
    let start: Int64 = 1_795_000_000_000
    return (0..<batchesPerAgent).map { index in
        let checks = (0..<checksPerAgent).map { check in
            CheckDefinition(
                id: UInt32(check + 1), name: "c\(check)", service: "svc-\(check % 5)", kind: "http",
                target: "http://a\(agent)/c\(check)", intervalMs: 1_000, timeoutMs: 500
            )
        }
        var heartbeats: [Heartbeat] = []
        for beat in 0..<beatsPerCheck {
            let t = start + Int64(index * beatsPerCheck + beat) * 1_000
            for check in checks {
                let down = (t / 30_000 + Int64(check.id) + Int64(agent)) % 7 == 0
                heartbeats.append(Heartbeat(
                    check: check.id, timestampMs: t, status: down ? .down : .up, latencyUs: UInt32(1_000 + beat * 100),
                    code: down ? 503 : 200, message: down ? "HTTP 503" : ""
                ))
            }
        }
        return Batch(sessionID: "s-\(agent)", seq: UInt64(index + 1), agentVersion: "bench", checks: index == 0 ? checks : [], heartbeats: heartbeats)
    }
}

/// Ships every agent's batches at once, each agent in order; returns heartbeats per second.
func ingestRate(_ store: any Store, load: [[Batch]]) async throws -> Double {
    var registered: [Int64] = []
    for agent in load.indices { registered.append(try await store.registerAgent(name: "a\(agent)", tokenHash: "h\(agent)", nowMs: 0).id) }
    let ids = registered
    let clock = ContinuousClock()
    let started = clock.now
    let stored = try await withThrowingTaskGroup(of: Int.self) { group in
        for (agent, agentBatches) in load.enumerated() {
            group.addTask {
                var accepted = 0
                for batch in agentBatches {
                    let outcome = try await store.ingest(IngestBatch(
                        agentID: ids[agent], batch: batch, rawBody: Array(repeating: 7, count: 600), contentType: "application/x-protobuf",
                        contentEncoding: "deflate", receivedMs: 1_796_000_000_000, oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
                    ))
                    accepted += outcome.accepted
                }
                return accepted
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = clock.now - started
    let expected = load.count * batchesPerAgent * checksPerAgent * beatsPerCheck
    precondition(stored == expected, "stored \(stored) of \(expected) heartbeats")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(stored) / seconds
}

/// A fresh database on the benchmark server.
func freshPostgres() async throws -> PostgresSettings {
    guard let url = ProcessInfo.processInfo.environment["VIGIL_BENCH_POSTGRES_URL"] ?? ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_URL"] else {
        fatalError("set VIGIL_BENCH_POSTGRES_URL, or run under scripts/with_postgres.sh")
    }
    var settings = try PostgresSettings(url: url)
    let name = "vigil_bench_\(UInt32.random(in: 0...UInt32.max))"
    let connection = try await PostgresConnection.connect(
        configuration: .init(host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                             database: settings.database, tls: .disable),
        id: 1, logger: Logger(label: "bench")
    )
    try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "bench"))
    try await connection.close()
    settings.database = name
    settings.maxConnections = agentCount
    return settings
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], timeUnits: .seconds, warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 3
    )
    let sqliteMetric = BenchmarkMetric.custom("SQLite heartbeats/s", useScalingFactor: false)
    let postgresMetric = BenchmarkMetric.custom("PostgreSQL heartbeats/s", useScalingFactor: false)
    let ratioMetric = BenchmarkMetric.custom("PostgreSQL / SQLite (%)", useScalingFactor: false)
    let total = agentCount * batchesPerAgent * checksPerAgent * beatsPerCheck

    Benchmark(
        "store ingest: \(agentCount) agents, \(total) heartbeats, SQLite then PostgreSQL",
        configuration: .init(metrics: [.wallClock, sqliteMetric, postgresMetric, ratioMetric])
    ) { benchmark in
        let load = (0..<agentCount).map(batches(agent:))
        let directory = NSTemporaryDirectory() + "vigil-bench-ingest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var quiet = Logger(label: "bench")
        quiet.logLevel = .warning

        benchmark.startMeasurement()
        let sqlite = try await ingestRate(try SQLiteStore(path: directory + "/vigil.sqlite"), load: load)
        let store = try await PostgresStore.open(try await freshPostgres(), logger: quiet)
        let postgres = try await ingestRate(store, load: load)
        benchmark.stopMeasurement()
        await store.close()
        benchmark.measurement(sqliteMetric, Int(sqlite))
        benchmark.measurement(postgresMetric, Int(postgres))
        benchmark.measurement(ratioMetric, Int(postgres / sqlite * 100))
    }
}
