import VigilCollector
import VigilCore

/// A year of 30-second probes from 3 locations for many services, with realistic flapping, generated
/// deterministically and loaded through the store (DESIGN §9: intervals and rollups, no heartbeats).
///
/// Per service and year: about 12 service-wide outages (1 to 45 min, seen by every location), per
/// location about 12 local failures (a partition: 2–20 min), 48 single-probe blips, 12 degraded stretches
/// and 2 silent-agent gaps (5–60 min).
struct YearOfHistory {
    static let intervalMs: Int64 = 30_000
    static let locations = ["fra", "iad", "sin"]

    let services: Int
    let year: TimeRange
    var rng: SplitMix

    init(services: Int, year: TimeRange, seed: UInt64 = 42) {
        self.services = services
        self.year = year
        self.rng = SplitMix(seed: seed)
    }

    struct Event {
        var range: TimeRange
        var status: CheckStatus  // .down, .degraded, or .unknown for a gap
        var message: String
    }

    mutating func events(count: Int, minMs: Int64, maxMs: Int64, status: CheckStatus, message: String) -> [Event] {
        (0..<count).map { _ in
            let length = minMs + Int64(rng.next() % UInt64(maxMs - minMs + 1))
            let start = year.startMs + Int64(rng.next() % UInt64(year.durationMs - length))
            let aligned = start - start % Self.intervalMs
            return Event(range: TimeRange(startMs: aligned, endMs: aligned + length - length % Self.intervalMs), status: status, message: message)
        }
    }

    /// Runs for one location: up between events; events that overlap an earlier one are dropped.
    static func runs(_ events: [Event], year: TimeRange) -> [StateInterval] {
        var runs: [StateInterval] = []
        var cursor = year.startMs
        func add(_ status: CheckStatus, _ start: Int64, _ end: Int64, _ message: String) {
            guard end > start else { return }
            let beats = max(1, (end - start) / intervalMs)
            runs.append(StateInterval(status: status, startMs: start, endMs: end, lastBeatMs: start + (beats - 1) * intervalMs, beats: beats, message: message))
        }
        for event in events.sorted(by: { $0.range.startMs < $1.range.startMs }) where event.range.startMs >= cursor + intervalMs {
            guard event.range.endMs <= year.endMs else { continue }
            add(.up, cursor, event.range.startMs, "")
            if event.status != .unknown { add(event.status, event.range.startMs, event.range.endMs, event.message) }
            cursor = event.range.endMs
        }
        add(.up, cursor, year.endMs, "")
        return runs
    }

    /// The history of services `range`: 3 checks per service, and hour and day rollups per service.
    mutating func generate(_ range: Range<Int>) -> HistoryImport {
        var history = HistoryImport()
        let minute: Int64 = 60_000
        for index in range {
            let service = "svc-\(index)"
            let shared = events(count: 12, minMs: minute, maxMs: 45 * minute, status: .down, message: "status 503")
            var downPerHour: [Int64: Int64] = [:]
            for (locationIndex, location) in Self.locations.enumerated() {
                var list = shared.map { event -> Event in
                    var copy = event
                    copy.range.startMs += Int64(locationIndex) * Self.intervalMs
                    return copy
                }
                list += events(count: 12, minMs: 2 * minute, maxMs: 20 * minute, status: .down, message: "connect timeout")
                list += events(count: 48, minMs: Self.intervalMs, maxMs: Self.intervalMs, status: .down, message: "connection reset")
                list += events(count: 12, minMs: 10 * minute, maxMs: 60 * minute, status: .degraded, message: "")
                list += events(count: 2, minMs: 5 * minute, maxMs: 60 * minute, status: .unknown, message: "")
                let runs = Self.runs(list, year: year)
                for run in runs where run.status == .down {
                    var t = run.startMs
                    while t < run.endMs {
                        downPerHour[t - t % 3_600_000, default: 0] += 1
                        t += Self.intervalMs
                    }
                }
                let definition = CheckDefinition(
                    id: UInt32(index + 1), name: service, service: service, kind: "http",
                    target: "https://\(service).example/health", intervalMs: UInt32(Self.intervalMs), timeoutMs: 10_000
                )
                history.checks.append(.init(agentName: "agent-\(location)", definition: definition, runs: runs))
            }
            // 3 locations × 120 probes an hour; latencies spread over a few buckets.
            var day = ProbeCounts()
            var hour = year.startMs
            while hour < year.endMs {
                let down = downPerHour[hour] ?? 0
                var counts = ProbeCounts(up: 360 - down, down: down)
                var latency = LatencyHistogram()
                for _ in 0..<(360 - down) / 30 {
                    latency.record(microseconds: UInt32(20_000 + rng.next() % 180_000))
                }
                counts.latency = LatencyHistogram(counts: latency.counts.map { $0 * 30 })
                history.rollups.append(.init(service: service, resolutionMs: 3_600_000, startMs: hour, counts: counts))
                day.add(counts)
                hour += 3_600_000
                if hour % 86_400_000 == 0 {
                    history.rollups.append(.init(service: service, resolutionMs: 86_400_000, startMs: hour - 86_400_000, counts: day))
                    day = ProbeCounts()
                }
            }
        }
        return history
    }
}

/// A small, fast, seeded generator (SplitMix64), so every run loads the same history.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
