import VigilCore

/// Keeps a backwards step of an agent's clock from moving data into the past (issue 18).
///
/// An agent stamps heartbeats on a monotonic clock anchored to its wall clock and re-anchors when the
/// wall clock steps; each heartbeat carries the sum of the steps so far (`clockAdjustMs`). When that sum
/// is negative (the wall clock was set back: a VM restored from a snapshot, a bad NTP server), the
/// heartbeat's time on the agent's monotonic clock, `timestampMs − clockAdjustMs`, is where it really
/// happened, unless that lands in the future as the collector sees it: then the step corrected a clock
/// that ran ahead, and the stamp stands as it is.
public struct ClockCorrection: Sendable, Hashable {
    /// Heartbeats moved back onto the agent's monotonic clock.
    public var moved = 0
    /// The step sum carried by the batch's newest heartbeat (after correction), if any heartbeat has one.
    public var newestAdjustMs: Int64?
    /// The newest heartbeat's time after correction.
    public var newestMs: Int64?

    /// Corrects `heartbeats` in place; `newestAcceptedMs` is the latest time the collector accepts.
    public init(correcting heartbeats: inout [Heartbeat], newestAcceptedMs: Int64) {
        for index in heartbeats.indices {
            let heartbeat = heartbeats[index]
            if heartbeat.clockAdjustMs < 0 {
                let (monotonic, overflow) = heartbeat.timestampMs.subtractingReportingOverflow(heartbeat.clockAdjustMs)
                if !overflow && monotonic <= newestAcceptedMs {
                    heartbeats[index].timestampMs = monotonic
                    moved += 1
                }
            }
            if newestMs.map({ heartbeats[index].timestampMs >= $0 }) ?? true {
                newestMs = heartbeats[index].timestampMs
                newestAdjustMs = heartbeat.clockAdjustMs
            }
        }
    }
}
