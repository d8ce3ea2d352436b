import VigilCore
import VigilWire

/// A stored raw batch, as exact edge counts read it back (issue 18).
public struct RawBatchRecord: Sendable {
    public var agentID: Int64
    public var sessionID: String
    public var seq: Int64
    public var receivedMs: Int64
    public var contentType: String
    public var contentEncoding: String
    /// The body as received, still compressed.
    public var body: [UInt8]
    /// The span ingest accepted heartbeats in; `nil` for batches stored before issue 18 (no bound then
    /// but retention, and no clock correction).
    public var oldestAcceptedMs: Int64?
    public var newestAcceptedMs: Int64?
    /// The session's check ids, mapped to their services.
    public var services: [UInt32: String]
    /// Check ids whose heartbeats ingest refused because the agent may not report their service.
    public var refusedChecks: Set<UInt32> = []

    public init(
        agentID: Int64, sessionID: String, seq: Int64, receivedMs: Int64, contentType: String, contentEncoding: String, body: [UInt8],
        oldestAcceptedMs: Int64?, newestAcceptedMs: Int64?, services: [UInt32: String]
    ) {
        self.agentID = agentID
        self.sessionID = sessionID
        self.seq = seq
        self.receivedMs = receivedMs
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.body = body
        self.oldestAcceptedMs = oldestAcceptedMs
        self.newestAcceptedMs = newestAcceptedMs
        self.services = services
    }
}

/// Reads a stored raw batch back into the heartbeats ingest accepted from it: the same decoding, clock
/// correction and bounds, so a count over raw batches equals what the rollups summed.
enum RawBatchReplay {
    /// Stored bodies were within the body limit when they arrived; this only guards against a damaged row.
    static let inflateLimit = 256 << 20

    /// The batch a stored body decodes to; `nil` for an unreadable body.
    static func heartbeats(_ body: [UInt8], contentType: String, contentEncoding: String) -> Batch? {
        do {
            let format = try ContentFormat(contentType: contentType)
            let encoding = try ContentEncoding(header: contentEncoding)
            var bytes = body
            if let zlib = encoding.zlibFormat {
                let inflater = try Inflater(format: zlib, limit: inflateLimit)
                try inflater.update(body)
                bytes = try inflater.finish()
            }
            return try BatchCodec.decode(bytes, format: format)
        } catch {
            return nil
        }
    }

    /// The heartbeats ingest accepted from `record`, each with its service.
    static func accepted(_ record: RawBatchRecord) -> [(service: String, heartbeat: Heartbeat)] {
        guard var batch = heartbeats(record.body, contentType: record.contentType, contentEncoding: record.contentEncoding) else { return [] }
        if let newest = record.newestAcceptedMs {
            _ = ClockCorrection(correcting: &batch.heartbeats, newestAcceptedMs: newest)
        }
        return batch.heartbeats.compactMap { heartbeat in
            guard let service = record.services[heartbeat.check], !record.refusedChecks.contains(heartbeat.check) else { return nil }
            if let newest = record.newestAcceptedMs, heartbeat.timestampMs > newest { return nil }
            if let oldest = record.oldestAcceptedMs, heartbeat.timestampMs < oldest { return nil }
            return (service, heartbeat)
        }
    }

    /// The refused check ids stored with a raw batch (`"3,17"`, or NULL for none).
    static func refusedChecks(_ text: String?) -> Set<UInt32> {
        Set((text ?? "").split(separator: ",").compactMap { UInt32($0) })
    }

    /// The minutes (start, ms) the accepted heartbeats of a batch stored before issue 18 fall in, to
    /// index it under (its body unreadable: none).
    static func minutes(ofStored record: RawBatchRecord) -> [Int64] {
        Set(accepted(record).map { RollupAccumulator.floor($0.heartbeat.timestampMs, to: RollupResolution.minute.rawValue) }).sorted()
    }
}

extension HistoryStore {
    /// Each service's probe counts over its `ranges` (sorted, non-overlapping), exact to the millisecond
    /// (issue 18): whole days, hours and minutes from the rollups at the coarsest resolution that fits,
    /// and what no row covers exactly — a partial minute at an edge, or minutes whose rows were pruned
    /// (before `minuteRowsSinceMs`) — from the raw batches, counting exactly the heartbeats inside.
    ///
    /// - Parameter latency: also the latency histograms; without, the same counts with empty histograms,
    ///   summed by the database (views that need no percentile, such as `/metrics`, read far less).
    public func probeCounts(
        over ranges: [String: [TimeRange]], minuteRowsSinceMs: Int64 = Int64.min, latency: Bool = true
    ) async throws -> [String: ProbeCounts] {
        // Read first: the instant only moves forward, so rows read after it hold at least what it says.
        let foldedBeforeMs = try await rollupsFoldedBeforeMs()
        let covers = ranges.mapValues { RollupCover($0, minuteRowsSinceMs: minuteRowsSinceMs, foldedBeforeMs: foldedBeforeMs) }
        var totals = try await rollupCounts(covers, latency: latency)
        let minutes = Set(covers.values.flatMap(\.rawMinutes))
        guard !minutes.isEmpty else { return totals }
        for record in try await rawBatches(holdingMinutes: minutes.sorted()) {
            for (service, heartbeat) in RawBatchReplay.accepted(record) {
                guard let raw = covers[service]?.raw, RangeSet.contains(raw, heartbeat.timestampMs) else { continue }
                if latency {
                    totals[service, default: ProbeCounts()].record(heartbeat.status, latencyUs: heartbeat.latencyUs)
                } else {
                    totals[service, default: ProbeCounts()].count(heartbeat.status)
                }
            }
        }
        return totals
    }

    /// One service's probe counts over `ranges`, exact to the millisecond (see ``probeCounts(over:minuteRowsSinceMs:latency:)``).
    public func probeCounts(
        service: String, over ranges: [TimeRange], minuteRowsSinceMs: Int64 = Int64.min, latency: Bool = true
    ) async throws -> ProbeCounts {
        try await probeCounts(over: [service: ranges], minuteRowsSinceMs: minuteRowsSinceMs, latency: latency)[service] ?? ProbeCounts()
    }
}
