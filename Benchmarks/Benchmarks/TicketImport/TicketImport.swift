import Benchmark
import Foundation
import VigilCLI
import VigilCollector
import VigilConfig

// Issue 5's figure: `vigil tickets import` of a 100,000-ticket CSV into a running collector (SQLite)
// under 30 s, losing no good row. The baseline, measured in the same run, is only parsing the same CSV
// file; the ratio says what validation, the HTTP batches and the store add.

let rowCount = Int(ProcessInfo.processInfo.environment["VIGIL_BENCH_TICKETS"] ?? "") ?? 100_000

/// A deterministic CSV: every tenth ticket solved and rated, tags over 50 services, a quoted title.
func writeCSV(rows: Int) throws -> String {
    let path = "/tmp/vigil-bench-tickets-\(rows).csv"
    if FileManager.default.fileExists(atPath: path) { return path }
    var text = "external_id,title,requester,organisation,priority,category,tags,created_at,status,updated_at,first_reply_at,solved_at,satisfaction\n"
    let priorities = ["low", "normal", "high", "urgent"]
    let base: Int64 = 1_767_225_600_000 // 2026-01-01
    for i in 0..<rows {
        let created = base + Int64(i) * 60_000
        let iso = { (ms: Int64) in ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1_000)) }
        let solved = i % 10 == 0
        text += "T-\(i),\"Cannot log in, error \(i % 97)\",user\(i % 5_000)@example.com,Org \(i % 300),\(priorities[i % 4]),"
        text += (i % 3 == 0 ? "technical" : "billing") + ",svc-\(i % 50);login,\(iso(created)),\(solved ? "solved" : "open"),"
        text += "\(iso(created + 7_200_000)),\(iso(created + 1_800_000)),\(solved ? iso(created + 7_200_000) : ""),\(solved ? (i % 20 == 0 ? "bad" : "good") : "")\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .seconds, warmupIterations: 0,
        maxDuration: .seconds(120), maxIterations: 3
    )
    let baselineMetric = BenchmarkMetric.custom("Baseline: parse only (ms)", useScalingFactor: false)
    let ratioMetric = BenchmarkMetric.custom("Ratio to baseline (×1)", useScalingFactor: false)
    let rowsMetric = BenchmarkMetric.custom("Tickets stored", useScalingFactor: false)

    Benchmark(
        "vigil tickets import: \(rowCount) rows",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, baselineMetric, ratioMetric, rowsMetric])
    ) { benchmark in
        let path = try writeCSV(rows: rowCount)
        let clock = ContinuousClock()
        let parseStart = clock.now
        let records = try CSVReader.records([UInt8](FileManager.default.contents(atPath: path)!))
        let baseline = clock.now - parseStart
        blackHole(records)

        let directory = NSTemporaryDirectory() + "vigil-bench-import-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = CollectorConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let collector = try await Collector(configuration: configuration, onListening: { portContinuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await collector.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next()!
            let client = CollectorClient(baseURL: "http://127.0.0.1:\(port)", token: collector.adminToken)
            benchmark.startMeasurement()
            let started = clock.now
            let summary = try await TicketImporter(client: client, showProgress: false).run(file: path)
            let measured = clock.now - started
            benchmark.stopMeasurement()
            let stored = try await collector.store.tickets(created: .init(startMs: 0, endMs: Int64.max / 2), openOnly: false).count
            precondition(summary.problems.isEmpty && stored == rowCount, "lost rows: \(stored) of \(rowCount), \(summary.problems.count) problems")
            func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1_000 + d.components.attoseconds / 1_000_000_000_000_000) }
            benchmark.measurement(baselineMetric, ms(baseline))
            benchmark.measurement(ratioMetric, ms(measured) / max(1, ms(baseline)))
            benchmark.measurement(rowsMetric, stored)
            group.cancelAll()
        }
    }
}
