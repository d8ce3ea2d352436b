import Testing
import VigilTestSupport
@testable import VigilAgent

/// A probe that is always up, instantly.
struct InstantProbe: Probe {
    func run() async -> ProbeResult { ProbeResult(status: .up, latencyUs: 1) }
}

@Suite("Reloading checks")
struct ReloadTests {
    static func entry(_ name: String, intervalMs: Int64 = 50) -> Scheduler.Entry {
        let check = CheckConfiguration(name: name, service: name, kind: .tcp(host: "127.0.0.1", port: 1), intervalMs: intervalMs)
        return Scheduler.Entry(check: check, definition: check.definition(id: 0), probe: InstantProbe())
    }

    @Test("unchanged checks keep their runner; removed ones stop; new and changed ones start")
    func diff() async throws {
        let directory = try TemporaryDirectory("reload")
        defer { directory.remove() }
        let spool = try Spool(configuration: SpoolConfiguration(directory: directory.path))
        var scheduler = Scheduler(spool: spool, logger: .init(label: "test"), limiter: ProbeLimiter(limit: 8))
        scheduler.maxJitterMs = 1
        let (updates, sink) = AsyncStream.makeStream(of: [Scheduler.Entry].self)
        let runner = Task { [scheduler] in await scheduler.run([Self.entry("a"), Self.entry("b"), Self.entry("c")], updates: updates) }
        try await Task.sleep(for: .milliseconds(200))
        let before = (a: scheduler.generationForTests("a"), c: scheduler.generationForTests("c"))
        sink.yield([Self.entry("a"), Self.entry("c", intervalMs: 60), Self.entry("d")])
        try await Task.sleep(for: .milliseconds(100))
        #expect(scheduler.generationForTests("a") == before.a)
        #expect(scheduler.generationForTests("b") == nil)
        #expect(scheduler.generationForTests("c") != before.c)
        #expect(scheduler.generationForTests("d") != nil)
        let afterReload = try await spool.peek(max: 100_000).records.count
        // The new check's first probe comes within its interval; allow for a loaded machine.
        for _ in 0..<50 where try await !spool.peek(max: 100_000).records.contains(where: { $0.checkName == "d" }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(200))
        runner.cancel()
        await runner.value
        let records = try await spool.peek(max: 100_000).records
        let lateB = records.dropFirst(afterReload).filter { $0.checkName == "b" }
        #expect(lateB.isEmpty, "b kept probing after it was removed")
        #expect(records.contains { $0.checkName == "d" })
    }
}

extension Scheduler {
    func generationForTests(_ name: String) -> Int? { plan.generation(of: name) }
}
