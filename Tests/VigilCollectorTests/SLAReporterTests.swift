import Testing
import VigilCore
import VigilTestSupport
@testable import VigilCollector

@Suite("SLA reporter")
struct SLAReporterTests {
    @Test("checks sliced by service equal grouping them, in each service's order, whether the store kept services together or not", arguments: 0..<20)
    func slicedByService(seed: UInt64) {
        var generator = SeededGenerator(seed: 0x5E41 + seed)
        let count = Int.random(in: 0...40, using: &generator)
        let together = seed % 2 == 0
        var checks = (0..<count).map { index in
            CheckRecord(
                id: Int64(index), agentName: "a\(index % 3)",
                definition: CheckDefinition(id: UInt32(index), name: "c\(index)", service: "svc-\(Int.random(in: 0..<6, using: &generator))", kind: "http", target: "http://x", intervalMs: 1_000, timeoutMs: 0),
                lastHeartbeat: nil
            )
        }
        if together { checks.sort { ($0.definition.service, $0.id) < ($1.definition.service, $1.id) } }
        let (sliced, ranges) = SLAReporter.byService(checks)
        // The naive oracle: grouping keeps each service's checks in the order they came.
        let grouped = Dictionary(grouping: checks, by: \.definition.service)
        #expect(Set(ranges.keys) == Set(grouped.keys))
        for (service, group) in grouped {
            #expect(ranges[service].map { Array(sliced[$0]) } == group, "\(service)")
        }
        #expect(sliced.count == checks.count)
    }

    @Test("reading services in groups of 2 checks (a 3-location service alone) gives the same report as one read of everything")
    func groupedReadsMatch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/vigil.sqlite")
        // 7 services with 1–3 locations each, every location down for a different stretch of the day.
        var checks: [HistoryImport.Check] = []
        let day: Int64 = 1_767_225_600_000
        for service in 0..<7 {
            for location in 0...(service % 3) {
                let downAt = day + Int64(service * 3_600_000 + location * 600_000)
                checks.append(HistoryImport.Check(
                    agentName: "agent-\(location)",
                    definition: CheckDefinition(id: UInt32(service + 1), name: "s\(service)", service: "svc-\(service)", kind: "http", target: "http://s\(service)", intervalMs: 30_000, timeoutMs: 5_000),
                    runs: [
                        StateInterval(status: .up, startMs: day, endMs: downAt, lastBeatMs: downAt - 1, beats: 100),
                        StateInterval(status: .down, startMs: downAt, endMs: downAt + 1_200_000, lastBeatMs: downAt + 1_199_999, beats: 40, message: "HTTP 503"),
                        StateInterval(status: .up, startMs: downAt + 1_200_000, endMs: day + 86_400_000, lastBeatMs: day + 86_399_999, beats: 100),
                    ]
                ))
            }
        }
        try await store.importHistory(HistoryImport(checks: checks))
        var catalog = ServiceCatalog()
        catalog.defaults.target = Percentage("99.9")
        let request = SLAReporter.Request(window: .rolling(ms: 86_400_000))
        let now = day + 86_400_000
        let whole = try await SLAReporter(store: store, catalog: catalog).evaluateAll(request, nowMs: now)
        var small = SLAReporter(store: store, catalog: catalog)
        small.checksPerRead = 2
        let grouped = try await small.evaluateAll(request, nowMs: now)
        #expect(whole.count == 7)
        #expect(grouped.map(\.result.service) == whole.map(\.result.service))
        #expect(grouped.map(\.result.availability) == whole.map(\.result.availability))
        #expect(grouped.map(\.result.outageCount) == whole.map(\.result.outageCount))
        #expect(whole.allSatisfy { ($0.result.availability ?? 1) < 1 })
    }

}
