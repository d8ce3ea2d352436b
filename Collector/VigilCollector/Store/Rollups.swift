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

    mutating func record(_ heartbeat: Heartbeat, service: String) {
        for resolution in RollupResolution.allCases {
            let size = resolution.rawValue
            let start = heartbeat.timestampMs - ((heartbeat.timestampMs % size) + size) % size
            rows[Key(service: service, resolution: size, startMs: start), default: ProbeCounts()]
                .record(heartbeat.status, latencyUs: heartbeat.latencyUs)
        }
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
