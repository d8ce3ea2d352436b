/// A service's confirmed history over a span: each location's confirmed timeline and the service's
/// segments, as recorded and as seen live. The one place where runs become outages: the SLA engine
/// and the stored outages (``OutageLedger``) both start here.
public struct ServiceHistory: Sendable {
    /// Each location's confirmed timeline, in the order given.
    public var locations: [(name: String, timeline: LocationTimeline)]
    /// The service's states over the span (down segments backdated to the first failure).
    public var segments: [ServiceTimeline.Segment]
    /// The same, with each down stretch starting at its confirmation (time to detect).
    public var liveSegments: [ServiceTimeline.Segment]

    /// Confirms each location's runs and combines them by the policy's quorum over `span`.
    public init(locations: [LocationHistory], confirmation: Confirmation, quorum: Quorum, span: TimeRange) {
        let timelines = locations.map {
            (name: $0.name, timeline: LocationTimeline(runs: $0.runs, confirmation: confirmation, intervalMs: $0.intervalMs))
        }
        self.locations = timelines
        segments = ServiceTimeline.combine(segments: timelines.map(\.timeline.segments), over: span, quorum: quorum)
        liveSegments = ServiceTimeline.combine(segments: timelines.map(\.timeline.liveSegments), over: span, quorum: quorum)
    }

    /// Every outage in the span, with `inMaintenance` set against `maintenance` (already the service's
    /// windows) and no eligible downtime (that depends on a report's window).
    public func outages(service: String, span: TimeRange, maintenance: [MaintenanceWindow], nowMs: Int64) -> [Outage] {
        var outages = Outage.find(service: service, segments: segments, liveSegments: liveSegments, locations: locations, nowMs: nowMs)
        let maintenanceTime = SLAEvaluator.maintenanceTime(in: span, maintenance)
        for index in outages.indices {
            outages[index].inMaintenance = !RangeSet.intersection([outages[index].range], maintenanceTime).isEmpty
        }
        return outages
    }
}

/// Keeps a service's stored outages equal to what its intervals say (issue 20): outages are stored
/// facts, derived once from the runs a change touched, not rediscovered by every reader.
///
/// A change at `fromMs` is derived again over a span that starts ``lookbackMs`` before it, moved back
/// to before the start of any stored outage that reaches into it, so an outage keeps its true start.
/// Every stored outage starting inside the span is replaced by what the derivation finds there.
public enum OutageLedger {
    /// How far before a change the runs are read at first: a margin, not what makes the result right.
    /// Correctness comes from moving the start back wherever a check's streak or a stored outage runs
    /// across it (``spanStart(fromMs:stored:lookbackMs:)``, ``unsettledStart(runs:spanStartMs:confirmation:)``;
    /// the property tests derive with a margin of 1 ms). The margin saves the extra reads of moving back
    /// for a change just after a state change; a longer one reads more of every changed service's
    /// history on every pass, which is what a fleet changing state all the time pays for. Default 2 minutes.
    public static let lookbackMs: Int64 = 120_000

    /// Whether folding time-ordered heartbeats from `firstMs` on into a check whose newest run was `tip`
    /// can change its service's outages, so the change must be recorded for derivation.
    ///
    /// It cannot when every heartbeat succeeded (up or degraded), the tip also did, none comes before the
    /// tip's newest heartbeat, success needs one heartbeat to confirm (`successThreshold` 1), and no
    /// stored outage of the service reaches past the tip's end: then the check's state changes only
    /// after the tip's end, from unknown to success, and a location seeing the service up never makes
    /// it down under any quorum.
    public static func mayChange(
        tip: StateInterval?, firstMs: Int64, allSucceeded: Bool, successThreshold: Int, latestOutageEndMs: Int64?
    ) -> Bool {
        guard allSucceeded, successThreshold <= 1, let tip, tip.status == .up || tip.status == .degraded, firstMs >= tip.lastBeatMs
        else { return true }
        if let end = latestOutageEndMs, end > tip.endMs { return true }
        return false
    }

    /// Where the runs must be read from for a change at `fromMs`: ``lookbackMs`` before it, moved back
    /// before any outage in `stored` (the service's, in any order) that ends after the span's start.
    public static func spanStart(fromMs: Int64, stored: [Outage], lookbackMs: Int64 = lookbackMs) -> Int64 {
        var start = fromMs - lookbackMs
        var moved = true
        while moved {
            moved = false
            for outage in stored where outage.range.endMs > start && outage.range.startMs < start {
                start = outage.range.startMs - lookbackMs
                moved = true
            }
        }
        return start
    }

    /// Where one check's runs must be read from for its state at `spanStartMs` to be known: `nil` when the
    /// runs read (those overlapping the span, sorted) already say it, or the start of the first run
    /// when the streak it begins may go on before it (runs touching it unread) and that would matter:
    /// a failure streak (its length decides confirmation, its first run the start and message), or a
    /// success streak still too short to end a down state. A success streak under a success threshold
    /// of 1, an unknown run or a gap before the first run read are a clean start.
    public static func unsettledStart(runs: [StateInterval], spanStartMs: Int64, confirmation: Confirmation) -> Int64? {
        guard let first = runs.first, first.startMs <= spanStartMs else { return nil }
        func kind(_ status: CheckStatus) -> Int {
            switch status {
            case .up, .degraded: 0
            case .down: 1
            case .unknown: 2
            }
        }
        let streak = kind(first.status)
        if streak == 2 { return nil }
        if streak == 1 { return first.startMs }
        guard confirmation.successThreshold > 1 else { return nil }
        var beats: Int64 = 0
        var index = 0
        while index < runs.count, kind(runs[index].status) == 0, index == 0 || runs[index].startMs == runs[index - 1].endMs {
            beats += runs[index].beats
            index += 1
        }
        return beats < Int64(confirmation.successThreshold) ? first.startMs : nil
    }

    /// What to write so the stored outages starting at or after `spanStartMs` become `derived`.
    public struct Changes: Sendable, Hashable {
        /// Outages to insert or replace (new, or differing from the stored one with the same start).
        public var upserts: [Outage] = []
        /// Starts of stored outages that the data no longer holds.
        public var deletions: [Int64] = []

        public var isEmpty: Bool { upserts.isEmpty && deletions.isEmpty }

        public init(upserts: [Outage] = [], deletions: [Int64] = []) {
            self.upserts = upserts
            self.deletions = deletions
        }
    }

    /// Compares `derived` (outages found over a span starting at `spanStartMs`) with `stored` (the
    /// service's stored outages) and lists the writes that make them agree.
    public static func reconcile(stored: [Outage], derived: [Outage], spanStartMs: Int64) -> Changes {
        var changes = Changes()
        var byStart: [Int64: Outage] = [:]
        for outage in stored where outage.range.startMs >= spanStartMs { byStart[outage.range.startMs] = outage }
        for outage in derived where outage.range.startMs >= spanStartMs {
            let old = byStart.removeValue(forKey: outage.range.startMs)
            if old.map({ !sameFacts($0, outage) }) ?? true { changes.upserts.append(outage) }
        }
        changes.deletions = byStart.keys.sorted()
        return changes
    }

    /// Whether two outages record the same facts (what is stored of them).
    static func sameFacts(_ a: Outage, _ b: Outage) -> Bool {
        a.range == b.range && a.ongoing == b.ongoing && a.locations == b.locations && a.firstMessage == b.firstMessage
            && a.detectedAtMs == b.detectedAtMs && a.inMaintenance == b.inMaintenance
    }

    /// The alert events a changed outage raises: `outage.opened` for a confirmed one outside maintenance
    /// that is still going on or ended at most `recentMs` before `changedAtMs` (the commit of the oldest
    /// change not yet derived, so what a leader away for a while or an agent's backlog brings in still
    /// raises it); `outage.resolved` once it has ended (the store sends it only after its opened).
    public static func events(for outage: Outage, changedAtMs: Int64, recentMs: Int64) -> [AlertEvent] {
        let (opened, resolved) = AlertEvent.outageEvents(outage)
        guard let opened, outage.ongoing || outage.range.endMs >= changedAtMs - recentMs else { return [] }
        return [opened] + (resolved.map { [$0] } ?? [])
    }
}
