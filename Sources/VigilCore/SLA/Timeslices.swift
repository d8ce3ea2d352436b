extension ServicePolicy {
    /// The slicing the `timeslices` figure uses: the method's own when the SLA counts by slices, else
    /// ``timeslice`` (1 minute, bad above 0 % unless configured).
    public var effectiveTimeslicing: Timeslicing {
        if case .timeslices(let length, let badAbove) = method { return Timeslicing(lengthMs: length, badAbove: badAbove) }
        return timeslice
    }

    /// Good and counted slices, under ``effectiveTimeslicing`` and the unknown policy.
    ///
    /// Slices are aligned to multiples of their length since the epoch (UTC minutes for `1m`). Only the
    /// eligible part of a slice counts. A slice with no known time is unknown and follows the unknown
    /// policy; otherwise it is bad when down / known time in it is above `badAbove`.
    func timesliceFigures(segments: [ServiceTimeline.Segment], eligible: [TimeRange]) -> (good: Int64, counted: Int64) {
        let length = effectiveTimeslicing.lengthMs
        let badAbove = effectiveTimeslicing.badAbove
        let known = RangeSet.intersection(
            RangeSet.normalized(segments.filter { $0.status != .unknown }.map(\.range)), eligible
        )
        let down = RangeSet.intersection(RangeSet.normalized(segments.filter { $0.status == .down }.map(\.range)), eligible)
        let eligibleSlices = Self.sliceCount(eligible, length: length)
        let knownSlices = Self.sliceCount(known, length: length)
        var bad: Int64 = 0
        var lastChecked = Int64.min
        for range in down {
            var slice = range.startMs.floorDiv(length)
            let lastSlice = (range.endMs - 1).floorDiv(length)
            if slice <= lastChecked { slice = lastChecked + 1 }
            while slice <= lastSlice {
                let bounds = TimeRange(startMs: slice * length, endMs: (slice + 1) * length)
                let downMs = Self.overlap(down, bounds)
                let knownMs = Self.overlap(known, bounds)
                if knownMs > 0 && downMs.multipliedFullWidth(by: 1_000_000) > badAbove.ppm.multipliedFullWidth(by: knownMs) {
                    bad += 1
                }
                slice += 1
            }
            lastChecked = lastSlice
        }
        let unknownSlices = eligibleSlices - knownSlices
        switch unknownPolicy {
        case .exclude: return (knownSlices - bad, knownSlices)
        case .up: return (knownSlices - bad + unknownSlices, eligibleSlices)
        case .down: return (knownSlices - bad, eligibleSlices)
        }
    }

    /// How many slices touch a normalized range list.
    static func sliceCount(_ ranges: [TimeRange], length: Int64) -> Int64 {
        var count: Int64 = 0
        var previousLast = Int64.min
        for range in ranges {
            let first = range.startMs.floorDiv(length)
            let last = (range.endMs - 1).floorDiv(length)
            count += last - first + 1
            if first == previousLast { count -= 1 }
            previousLast = last
        }
        return count
    }

    /// Milliseconds of a normalized range list inside `bounds` (binary search to the first candidate).
    static func overlap(_ ranges: [TimeRange], _ bounds: TimeRange) -> Int64 {
        var low = 0
        var high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].endMs <= bounds.startMs { low = mid + 1 } else { high = mid }
        }
        var total: Int64 = 0
        while low < ranges.count && ranges[low].startMs < bounds.endMs {
            total += ranges[low].clamped(to: bounds).durationMs
            low += 1
        }
        return total
    }
}
