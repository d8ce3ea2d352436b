import VigilCore

/// The rollup resolutions kept (DESIGN §9): per minute, hour and UTC day.
enum RollupResolution: Int64, CaseIterable {
    case minute = 60_000
    case hour = 3_600_000
    case day = 86_400_000
}

/// Sums heartbeats of one batch into rollup rows before they are written.
struct RollupAccumulator {
    struct Key: Hashable {
        var service: String
        var resolution: Int64
        var startMs: Int64
    }

    private(set) var rows: [Key: ProbeCounts] = [:]

    /// Adds one check's heartbeats, sorted by time. They are summed per minute first and each minute
    /// then added to its minute, hour and day rows, so a batch costs a few dictionary updates per check
    /// instead of three per heartbeat.
    mutating func record(sorted heartbeats: [Heartbeat], service: String) {
        let minute = RollupResolution.minute.rawValue
        var currentStart = Int64.min
        var current = ProbeCounts()
        for heartbeat in heartbeats {
            let start = Self.floor(heartbeat.timestampMs, to: minute)
            if start != currentStart {
                if currentStart != Int64.min { add(current, minuteStart: currentStart, service: service) }
                currentStart = start
                current = ProbeCounts()
            }
            current.record(heartbeat.status, latencyUs: heartbeat.latencyUs)
        }
        if currentStart != Int64.min { add(current, minuteStart: currentStart, service: service) }
    }

    private mutating func add(_ counts: ProbeCounts, minuteStart: Int64, service: String) {
        for resolution in RollupResolution.allCases {
            let size = resolution.rawValue
            rows[Key(service: service, resolution: size, startMs: Self.floor(minuteStart, to: size)), default: ProbeCounts()].add(counts)
        }
    }

    /// The start of the period of `size` that holds `ms` (also before 1970).
    static func floor(_ ms: Int64, to size: Int64) -> Int64 {
        ms - ((ms % size) + size) % size
    }
}

/// Which rollup rows cover a set of time ranges: whole UTC days as day rows, whole hours as hour rows,
/// and the rest as the minute rows that start inside the ranges.
struct RollupCover {
    var keys: [Int64: Set<Int64>] = [:]
    var bounds: [Int64: (Int64, Int64)] = [:]

    init(_ ranges: [TimeRange]) {
        for range in ranges {
            var cursor = range.startMs
            while cursor < range.endMs {
                var chosen = RollupResolution.minute
                for resolution in [RollupResolution.day, .hour] {
                    let size = resolution.rawValue
                    if cursor % size == 0 && cursor + size <= range.endMs {
                        chosen = resolution
                        break
                    }
                }
                let size = chosen.rawValue
                let start = cursor - ((cursor % size) + size) % size
                if start >= range.startMs { add(chosen.rawValue, start) }
                cursor = start + size
            }
        }
    }

    private mutating func add(_ resolution: Int64, _ start: Int64) {
        keys[resolution, default: []].insert(start)
        let current = bounds[resolution] ?? (start, start)
        bounds[resolution] = (min(current.0, start), max(current.1, start))
    }
}
