import VigilCore

/// The rollup resolutions kept (DESIGN §9): per minute, hour and UTC day.
enum RollupResolution: Int64, CaseIterable {
    case minute = 60_000
    case hour = 3_600_000
    case day = 86_400_000
}

/// Sums heartbeats of one batch into rollup rows before they are written.
struct RollupAccumulator: Sendable {
    struct Key: Hashable {
        var service: String
        var resolution: Int64
        var startMs: Int64
    }

    private(set) var rows: [Key: ProbeCounts] = [:]

    /// Adds one check's heartbeats, sorted by time, to their minute rows: summed per minute first, so a
    /// batch costs a few dictionary updates per check instead of one per heartbeat. Only minute rows are
    /// kept: both stores add a minute to its hour and day rows themselves, later (``SQLiteStore``'s
    /// fold, ``PostgresStore``'s delta moves).
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
        rows[Key(service: service, resolution: RollupResolution.minute.rawValue, startMs: minuteStart), default: ProbeCounts()].add(counts)
    }

    /// Adds another accumulator's rows of `services`.
    mutating func add(_ other: RollupAccumulator, only services: Set<String>) {
        for (key, counts) in other.rows where services.contains(key.service) { rows[key, default: ProbeCounts()].add(counts) }
    }

    /// Adds another accumulator's rows (the batches of one group commit are written as one sum).
    mutating func add(_ other: RollupAccumulator) {
        if rows.isEmpty {
            rows = other.rows
            return
        }
        for (key, counts) in other.rows { rows[key, default: ProbeCounts()].add(counts) }
    }

    /// The start of the period of `size` that holds `ms` (also before 1970).
    static func floor(_ ms: Int64, to size: Int64) -> Int64 {
        ms - ((ms % size) + size) % size
    }
}

/// Which rollup rows cover a set of time ranges, and what they cannot cover exactly (issue 18): whole UTC
/// days as day rows, whole hours as hour rows, whole minutes as minute rows (where minute rows are still
/// kept), and the rest — a partial minute at an edge that is not on a minute, or minutes whose rows were
/// pruned — as ``raw`` time, counted from the stored raw batches.
/// Consecutive rollup rows of one resolution, from the row starting at `first` to the one at `last`.
public struct RollupSpan: Sendable, Hashable {
    public var resolution: Int64
    public var first: Int64
    public var last: Int64
}

public struct RollupCover: Sendable {
    /// The row starts wanted, by resolution (ms).
    public var keys: [Int64: Set<Int64>] = [:]
    /// The wanted rows by resolution as runs of consecutive starts, each `(first, last)`: every row
    /// between is wanted, so a run is one range read (a window with partial first and last days wants
    /// two runs of hours, not every hour of the year between them).
    public var spans: [Int64: [(Int64, Int64)]] = [:]
    /// Time no rollup row covers exactly, sorted and merged.
    public var raw: [TimeRange] = []

    /// - Parameters:
    ///   - ranges: sorted, non-overlapping.
    ///   - minuteRowsSinceMs: minute rows that start before this may have been pruned.
    ///   - foldedBeforeMs: hour and day rows hold the minutes before this only (the store's
    ///     ``HistoryStore/rollupsFoldedBeforeMs()``): a row that reaches past it is read as its minutes.
    public init(_ ranges: [TimeRange], minuteRowsSinceMs: Int64 = Int64.min, foldedBeforeMs: Int64 = Int64.max) {
        let minute = RollupResolution.minute.rawValue
        for range in ranges {
            var cursor = range.startMs
            while cursor < range.endMs {
                var chosen: RollupResolution?
                for resolution in [RollupResolution.day, .hour, .minute] {
                    let size = resolution.rawValue
                    if cursor % size == 0 && cursor + size <= range.endMs && (resolution == .minute || cursor + size <= foldedBeforeMs) {
                        chosen = resolution
                        break
                    }
                }
                if let chosen, chosen != .minute || cursor >= minuteRowsSinceMs {
                    add(chosen.rawValue, cursor)
                    cursor += chosen.rawValue
                } else {
                    // Up to the next minute boundary (or the range's end), from the raw batches.
                    let end = min(range.endMs, RollupAccumulator.floor(cursor, to: minute) + minute)
                    addRaw(TimeRange(startMs: cursor, endMs: end))
                    cursor = end
                }
            }
        }
    }

    private mutating func add(_ resolution: Int64, _ start: Int64) {
        keys[resolution, default: []].insert(start)
        // Starts arrive in increasing order (the ranges are sorted, the cursor only moves forward).
        if let last = spans[resolution]?.last, last.1 + resolution == start {
            spans[resolution]![spans[resolution]!.count - 1].1 = start
        } else {
            spans[resolution, default: []].append((start, start))
        }
    }

    private mutating func addRaw(_ piece: TimeRange) {
        if let last = raw.last, last.endMs == piece.startMs {
            raw[raw.count - 1].endMs = piece.endMs
        } else {
            raw.append(piece)
        }
    }

    /// The spans as `(resolution, first, last)`, by resolution then start: services whose covers have
    /// the same spans (every service on the same SLA period and calendar) are read by one statement.
    public var spanList: [RollupSpan] {
        spans.keys.sorted().flatMap { resolution in spans[resolution]!.map { RollupSpan(resolution: resolution, first: $0.0, last: $0.1) } }
    }

    /// Services grouped by identical ``spanList``, each group's names sorted and cut into chunks of at
    /// most `chunk` (the bound on one statement's parameters); groups in a stable order.
    public static func sharedSpans(_ covers: [String: RollupCover], chunk: Int = 500) -> [(spans: [RollupSpan], services: [String])] {
        let groups = Dictionary(grouping: covers.keys.sorted(), by: { covers[$0]!.spanList })
        return groups.sorted { $0.value[0] < $1.value[0] }.flatMap { spans, names in
            stride(from: 0, to: names.count, by: chunk).map { (spans, Array(names[$0..<min($0 + chunk, names.count)])) }
        }
    }

    /// The minutes (their start, ms) that ``raw`` touches.
    public var rawMinutes: [Int64] {
        let minute = RollupResolution.minute.rawValue
        var minutes: [Int64] = []
        for piece in raw {
            var start = RollupAccumulator.floor(piece.startMs, to: minute)
            while start < piece.endMs {
                if minutes.last != start { minutes.append(start) }
                start += minute
            }
        }
        return minutes
    }
}
