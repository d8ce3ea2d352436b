import Benchmark
import BenchSupport
import CZlibBaseline
import Foundation
import GRDB
import VigilCollector
import VigilCore
import VigilWire

// Issue 8's component figures, each with its baseline measured in the same sample (see Comparison):
//
// - codec: the protobuf batch codec against the JSON one the collector also accepts;
// - zlib: the streaming Inflater (with its output limit) and Deflater against zlib's one-shot
//   uncompress/compress2 into a ready buffer, the floor for the same work;
// - evaluator: SLAEvaluator on a year of three locations against a naive time-weighted uptime sum over
//   the same runs (what a simple monitor reports);
// - store write path: SQLiteStore.ingest of 1,000-heartbeat batches (folded into intervals and rollups)
//   against storing one row per heartbeat in a plain SQLite table, as many monitors do.
// The report queries are the SLAReport benchmark; the whole collector under load is IngestLoad.

let plan = LoadPlan(agents: 1, checks: 100, batchHeartbeats: 1_000, batchesPerAgent: 1)
let startMs: Int64 = 1_795_000_000_000
/// A steady-state batch (no check definitions), 100 checks × 10 one-second probes with state changes.
let batch = plan.batch(agent: 0, index: 7, startMs: startMs)
let protobufBytes = ProtobufBatchCodec.encode(batch)
let jsonBytes = JSONBatchCodec.encode(batch)
let deflated = try! Zlib.deflate(protobufBytes)

let year2025 = TimeRange(startMs: 1_735_689_600_000, endMs: 1_767_225_600_000)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, figureMetric, baselineMetric, ratioMetric],
        timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10
    )

    Benchmark("codec: protobuf decode, 1,000-heartbeat batch") { benchmark in
        say("  batch: \(protobufBytes.count) bytes protobuf, \(jsonBytes.count) bytes JSON, \(deflated.count) bytes deflated")
        try Comparison(name: "protobuf decode", unit: "heartbeat", units: batch.heartbeats.count, rounds: 200, baselineName: "JSON decode").run(benchmark) {
            blackHole(try ProtobufBatchCodec.decode(protobufBytes))
        } baseline: {
            blackHole(try JSONBatchCodec.decode(jsonBytes))
        }
    }

    Benchmark("codec: protobuf encode, 1,000-heartbeat batch") { benchmark in
        Comparison(name: "protobuf encode", unit: "heartbeat", units: batch.heartbeats.count, rounds: 200, baselineName: "JSON encode").run(benchmark) {
            blackHole(ProtobufBatchCodec.encode(batch))
        } baseline: {
            blackHole(JSONBatchCodec.encode(batch))
        }
    }

    Benchmark("zlib: inflate, 1,000-heartbeat batch") { benchmark in
        var output = [UInt8](repeating: 0, count: protobufBytes.count)
        try Comparison(name: "Inflater (8 MiB limit)", unit: "heartbeat", units: batch.heartbeats.count, rounds: 500, baselineName: "zlib uncompress").run(benchmark) {
            blackHole(try Zlib.inflate(deflated, limit: BatchCodec.defaultMaxBodyBytes))
        } baseline: {
            var length = uLongf(output.count)
            let status = output.withUnsafeMutableBufferPointer { out in
                deflated.withUnsafeBufferPointer { uncompress(out.baseAddress, &length, $0.baseAddress, uLong($0.count)) }
            }
            precondition(status == Z_OK && Int(length) == protobufBytes.count)
        }
    }

    Benchmark("zlib: deflate, 1,000-heartbeat batch") { benchmark in
        var output = [UInt8](repeating: 0, count: Int(compressBound(uLong(protobufBytes.count))))
        try Comparison(name: "Deflater (level 6)", unit: "heartbeat", units: batch.heartbeats.count, rounds: 200, baselineName: "zlib compress2").run(benchmark) {
            blackHole(try Zlib.deflate(protobufBytes, level: 6))
        } baseline: {
            var length = uLongf(output.count)
            let status = output.withUnsafeMutableBufferPointer { out in
                protobufBytes.withUnsafeBufferPointer { compress2(out.baseAddress, &length, $0.baseAddress, uLong($0.count), 6) }
            }
            precondition(status == Z_OK)
        }
    }

    Benchmark("evaluator: one service's year, 3 locations") { benchmark in
        let locations = (0..<3).map { location in
            var generator = YearOfRuns(seed: UInt64(location + 1))
            return LocationHistory(name: "agent-\(location)/check", intervalMs: 30_000, runs: generator.runs(over: year2025))
        }
        var policy = ServicePolicy()
        policy.target = Percentage("99.9")
        policy.period = .year
        policy.credits = [CreditTier(below: Percentage("99.9")!, credit: Percentage("10")!)]
        let evaluator = SLAEvaluator(service: "svc", policy: policy, window: year2025, nowMs: year2025.endMs + 86_400_000, maintenance: [])
        let runCount = locations.reduce(0) { $0 + $1.runs.count }
        say("  \(runCount) runs over the year")
        Comparison(name: "SLAEvaluator", unit: "run", units: runCount, rounds: 20, baselineName: "naive uptime sum").run(benchmark) {
            blackHole(evaluator.evaluate(locations: locations, probes: nil))
        } baseline: {
            var up: Int64 = 0
            var total: Int64 = 0
            for location in locations {
                for run in location.runs {
                    let length = min(run.endMs, year2025.endMs) - max(run.startMs, year2025.startMs)
                    guard length > 0 else { continue }
                    total += length
                    if run.status == .up || run.status == .degraded { up += length }
                }
            }
            blackHole(Double(up) / Double(max(1, total)))
        }
    }

    Benchmark("store write path: SQLite ingest, 1,000-heartbeat batches") { benchmark in
        try await storeWritePath(benchmark)
    }
}

/// Ingests 200 consecutive batches of one agent through `SQLiteStore.ingest`, and the same heartbeats
/// into a one-row-per-heartbeat table, each in its own fresh database file with the store's settings
/// (WAL, synchronous NORMAL), one transaction per batch for both.
func storeWritePath(_ benchmark: Benchmark) async throws {
    let batches = (0..<200).map { plan.batch(agent: 0, index: $0, startMs: startMs) }
    let directory = NSTemporaryDirectory() + "vigil-bench-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clock = ContinuousClock()
    let store = try SQLiteStore(path: "\(directory)/store.sqlite")
    let agent = try await store.registerAgent(name: "a", tokenHash: "h", nowMs: 0).id
    benchmark.startMeasurement()
    let storeStart = clock.now
    for batch in batches {
        _ = try await store.ingest(IngestBatch(
            agentID: agent, batch: batch, rawBody: Array(repeating: 7, count: 4_400), contentType: "application/x-protobuf",
            contentEncoding: "deflate", receivedMs: startMs + 86_400_000, oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
        ))
    }
    let measured = clock.now - storeStart
    benchmark.stopMeasurement()

    var configuration = Configuration()
    configuration.prepareDatabase { db in
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    let queue = try DatabasePool(path: "\(directory)/rows.sqlite", configuration: configuration)
    try await queue.write { db in
        try db.execute(sql: "CREATE TABLE heartbeat (id INTEGER PRIMARY KEY, check_id INTEGER NOT NULL, time INTEGER NOT NULL, status INTEGER NOT NULL, latency_us INTEGER NOT NULL, code INTEGER NOT NULL, message TEXT NOT NULL)")
        try db.execute(sql: "CREATE INDEX heartbeat_check_time ON heartbeat (check_id, time)")
    }
    let baselineStart = clock.now
    for batch in batches {
        try await queue.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO heartbeat (check_id, time, status, latency_us, code, message) VALUES (?, ?, ?, ?, ?, ?)")
            for beat in batch.heartbeats {
                try insert.execute(arguments: [Int64(beat.check), beat.timestampMs, CheckStatus.allCases.firstIndex(of: beat.status)!, Int64(beat.latencyUs), Int64(beat.code), beat.message])
            }
        }
    }
    let baseline = clock.now - baselineStart
    let units = batches.count * plan.batchHeartbeats
    let (perUnit, basePerUnit) = record(benchmark, measured: measured, baseline: baseline, units: units)
    let storeBytes = fileBytes("\(directory)/store.sqlite")
    let rowBytes = fileBytes("\(directory)/rows.sqlite")
    say(String(
        format: "FIGURE SQLiteStore.ingest: %.0f ns/heartbeat (%.0fk heartbeats/s on one writer), %.0f bytes/heartbeat on disk; baseline one row per heartbeat: %.0f ns (%.0fk/s), %.0f bytes; ratio %.2f×",
        perUnit, 1e6 / perUnit, Double(storeBytes) / Double(units), basePerUnit, 1e6 / basePerUnit, Double(rowBytes) / Double(units), perUnit / basePerUnit
    ))
}

/// The size of a SQLite database with its WAL.
func fileBytes(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { total, suffix in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
}
