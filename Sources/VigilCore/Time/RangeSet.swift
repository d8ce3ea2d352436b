/// Operations on sets of time given as sorted, non-overlapping ``TimeRange`` lists.
public enum RangeSet {
    /// Sorts and merges ranges that overlap or touch; drops empty ones.
    public static func normalized(_ ranges: [TimeRange]) -> [TimeRange] {
        let sorted = ranges.filter { !$0.isEmpty }.sorted { $0.startMs < $1.startMs }
        var merged: [TimeRange] = []
        merged.reserveCapacity(sorted.count)
        for range in sorted {
            if let last = merged.last, range.startMs <= last.endMs {
                merged[merged.count - 1].endMs = max(last.endMs, range.endMs)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// The time in `ranges` that is also in `other` (both normalized).
    public static func intersection(_ ranges: [TimeRange], _ other: [TimeRange]) -> [TimeRange] {
        var result: [TimeRange] = []
        var i = 0
        var j = 0
        while i < ranges.count && j < other.count {
            let overlap = ranges[i].clamped(to: other[j])
            if !overlap.isEmpty { result.append(overlap) }
            if ranges[i].endMs < other[j].endMs { i += 1 } else { j += 1 }
        }
        return result
    }

    /// The time in `ranges` that is not in `removed` (both normalized).
    public static func subtracting(_ ranges: [TimeRange], _ removed: [TimeRange]) -> [TimeRange] {
        var result: [TimeRange] = []
        var j = 0
        for range in ranges {
            var cursor = range.startMs
            while j < removed.count && removed[j].endMs <= cursor { j += 1 }
            var k = j
            while k < removed.count && removed[k].startMs < range.endMs {
                if removed[k].startMs > cursor { result.append(TimeRange(startMs: cursor, endMs: removed[k].startMs)) }
                cursor = max(cursor, removed[k].endMs)
                k += 1
            }
            if cursor < range.endMs { result.append(TimeRange(startMs: cursor, endMs: range.endMs)) }
        }
        return result
    }

    /// Total milliseconds in normalized `ranges`.
    /// Whether `ms` is inside a sorted, non-overlapping list (binary search).
    public static func contains(_ ranges: [TimeRange], _ ms: Int64) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].endMs <= ms { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].startMs <= ms
    }

    public static func total(_ ranges: [TimeRange]) -> Int64 {
        ranges.reduce(0) { $0 + $1.durationMs }
    }
}
