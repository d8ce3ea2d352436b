/// A confirmed stretch of a service being down (DESIGN §5).
public struct Outage: Sendable, Hashable {
    /// The service.
    public var service: String
    /// From the first failure of the confirming streak to the first success of the recovering one (or to
    /// where the data ends); an ongoing outage ends at "now".
    public var range: TimeRange
    /// Whether it is still going on at "now".
    public var ongoing: Bool
    /// The locations (agent/check) that saw it, sorted.
    public var locations: [String]
    /// The first error message any of them reported.
    public var firstMessage: String
    /// When the service was confirmed down (quorum of confirmed locations): what time to detect measures.
    public var detectedAtMs: Int64?
    /// Whether it overlaps a maintenance window (no alerts; the overlap is not downtime).
    public var inMaintenance: Bool
    /// Down time inside the report's eligible time (calendar, minus maintenance).
    public var eligibleDownMs: Int64

    /// A stable id: the service and the start in ms, `api:1793491200000`.
    public var id: String { "\(service):\(range.startMs)" }

    public init(
        service: String, range: TimeRange, ongoing: Bool, locations: [String], firstMessage: String,
        detectedAtMs: Int64?, inMaintenance: Bool, eligibleDownMs: Int64
    ) {
        self.service = service
        self.range = range
        self.ongoing = ongoing
        self.locations = locations
        self.firstMessage = firstMessage
        self.detectedAtMs = detectedAtMs
        self.inMaintenance = inMaintenance
        self.eligibleDownMs = eligibleDownMs
    }

    /// Finds the outages in a service timeline: each maximal down segment, with who saw it and when it
    /// was detected.
    static func find(
        service: String,
        segments: [ServiceTimeline.Segment],
        liveSegments: [ServiceTimeline.Segment],
        locations: [(name: String, timeline: LocationTimeline)],
        nowMs: Int64
    ) -> [Outage] {
        var outages: [Outage] = []
        var live = 0
        for segment in segments where segment.status == .down {
            let range = segment.range
            var seen: [String] = []
            var first: (Int64, String)?
            for location in locations {
                for span in location.timeline.downSpans where span.range.overlaps(range) {
                    if seen.last != location.name { seen.append(location.name) }
                    if first == nil || span.range.startMs < first!.0 { first = (span.range.startMs, span.message) }
                }
            }
            while live < liveSegments.count && liveSegments[live].range.endMs <= range.startMs { live += 1 }
            var detected: Int64?
            var probe = live
            while probe < liveSegments.count && liveSegments[probe].range.startMs < range.endMs {
                if liveSegments[probe].status == .down {
                    detected = max(range.startMs, liveSegments[probe].range.startMs)
                    break
                }
                probe += 1
            }
            outages.append(Outage(
                service: service, range: range, ongoing: range.endMs >= nowMs, locations: seen.sorted(),
                firstMessage: first?.1 ?? "", detectedAtMs: detected, inMaintenance: false, eligibleDownMs: 0
            ))
        }
        return outages
    }
}
