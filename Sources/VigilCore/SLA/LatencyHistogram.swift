/// Probe latencies counted in fixed buckets, the unit of per-minute/hour/day rollups.
///
/// The bucket bounds are fixed so that rollups from any agent, minute or replica add up by index. They
/// follow a 1–1.5–2–2.5–3–4–5–7.5 series from 1 ms to 60 s, so common objectives (100 ms, 250 ms, 300 ms,
/// 500 ms, 1 s) fall on a bound and their attainment is exact; other thresholds and the percentiles are
/// interpolated linearly inside a bucket, like Prometheus's `histogram_quantile`.
public struct LatencyHistogram: Sendable, Hashable {
    /// Upper bounds (inclusive) in microseconds; a last, open bucket holds everything slower.
    public static let boundsUs: [UInt32] = {
        var bounds: [UInt32] = []
        var decade: UInt32 = 1_000
        while decade <= 10_000_000 {
            for step in [10, 15, 20, 25, 30, 40, 50, 75] as [UInt32] { bounds.append(decade * step / 10) }
            decade *= 10
        }
        return bounds.filter { $0 <= 60_000_000 } + [60_000_000]
    }()

    /// Counts per bucket; `counts.count == boundsUs.count + 1`.
    public private(set) var counts: [Int64]

    public init() { counts = Array(repeating: 0, count: Self.boundsUs.count + 1) }

    /// Counts probes stored elsewhere, index by index (missing trailing buckets are zero).
    public init(counts given: [Int64]) {
        self.init()
        for (index, value) in given.prefix(counts.count).enumerated() { counts[index] = value }
    }

    /// The bucket a latency falls in.
    public static func bucket(forMicroseconds us: UInt32) -> Int {
        var low = 0
        var high = boundsUs.count
        while low < high {
            let mid = (low + high) / 2
            if boundsUs[mid] < us { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Counts one probe.
    public mutating func record(microseconds us: UInt32) { counts[Self.bucket(forMicroseconds: us)] += 1 }

    /// Adds another histogram's counts.
    public mutating func add(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
    }

    /// Probes counted.
    public var total: Int64 { counts.reduce(0, +) }

    /// The latency (ms) under which `quantile` (0…1) of the probes fall; `nil` when empty.
    public func quantileMs(_ quantile: Double) -> Double? {
        let total = self.total
        guard total > 0 else { return nil }
        let rank = quantile * Double(total)
        var seen: Int64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            if Double(seen + count) >= rank {
                let lower = index == 0 ? 0 : Double(Self.boundsUs[index - 1])
                guard index < Self.boundsUs.count else { return lower / 1_000 }
                let upper = Double(Self.boundsUs[index])
                let within = (rank - Double(seen)) / Double(count)
                return (lower + (upper - lower) * max(0, min(1, within))) / 1_000
            }
            seen += count
        }
        return Double(Self.boundsUs.last!) / 1_000
    }

    /// Probes at or under `thresholdMs` (interpolated inside the bucket the threshold falls in).
    public func countAtOrBelow(thresholdMs: Double) -> Double {
        let thresholdUs = thresholdMs * 1_000
        var result = 0.0
        for (index, count) in counts.enumerated() where count > 0 {
            let lower = index == 0 ? 0 : Double(Self.boundsUs[index - 1])
            let upper = index < Self.boundsUs.count ? Double(Self.boundsUs[index]) : Double.infinity
            if upper <= thresholdUs {
                result += Double(count)
            } else if lower < thresholdUs && upper.isFinite {
                result += Double(count) * (thresholdUs - lower) / (upper - lower)
            }
        }
        return result
    }

    /// A compact byte form for storage: (bucket, count) pairs of the non-empty buckets as LEB128 varints.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for (index, count) in counts.enumerated() where count > 0 {
            Self.appendVarint(UInt64(index), to: &bytes)
            Self.appendVarint(UInt64(count), to: &bytes)
        }
        return bytes
    }

    /// Reads ``encoded`` bytes; `nil` when they are malformed.
    public init?(encoded bytes: [UInt8]) {
        self.init()
        var offset = 0
        while offset < bytes.count {
            guard let index = Self.readVarint(bytes, &offset), let count = Self.readVarint(bytes, &offset),
                  index < UInt64(counts.count), count <= UInt64(Int64.max)
            else { return nil }
            counts[Int(index)] += Int64(count)
        }
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private static func readVarint(_ bytes: [UInt8], _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}

/// Probe counts and latencies over some time: one rollup row, or a sum of them.
public struct ProbeCounts: Sendable, Hashable {
    /// Probes that found the target up.
    public var up: Int64 = 0
    /// Probes that found it up but slow.
    public var degraded: Int64 = 0
    /// Probes that found it down.
    public var down: Int64 = 0
    /// Latencies of the up and degraded probes.
    public var latency = LatencyHistogram()

    public init(up: Int64 = 0, degraded: Int64 = 0, down: Int64 = 0, latency: LatencyHistogram = LatencyHistogram()) {
        self.up = up
        self.degraded = degraded
        self.down = down
        self.latency = latency
    }

    /// Counts one heartbeat (unknown results are not probes of the target and are skipped).
    public mutating func record(_ status: CheckStatus, latencyUs: UInt32) {
        count(status)
        if status == .up || status == .degraded { latency.record(microseconds: latencyUs) }
    }

    /// Counts one heartbeat without its latency (counts read without histograms).
    public mutating func count(_ status: CheckStatus) {
        switch status {
        case .up: up += 1
        case .degraded: degraded += 1
        case .down: down += 1
        case .unknown: return
        }
    }

    /// Adds another count.
    public mutating func add(_ other: ProbeCounts) {
        up += other.up
        degraded += other.degraded
        down += other.down
        latency.add(other.latency)
    }

    /// Good probes (up or degraded).
    public var good: Int64 { up + degraded }
    /// All probes.
    public var total: Int64 { up + degraded + down }
}
