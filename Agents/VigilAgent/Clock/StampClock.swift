#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The clock heartbeats are stamped with (issue 18): monotonic elapsed time anchored to the wall clock,
/// so an NTP slew or a small correction never reorders two probes, re-anchored to the wall clock when
/// the two drift apart by more than a threshold (an NTP step, a VM restored from a snapshot).
///
/// A re-anchoring is a *step*: the reading that makes it reports it, and every later stamp carries the
/// sum of the steps so far (`adjustMs`), so the collector can tell a backwards step from late data and
/// keep the heartbeats after it where they happened.
///
/// Pure: the caller passes both clocks in, which makes every transition testable alone.
public struct StampClockState: Sendable, Hashable {
    /// One reading.
    public struct Reading: Sendable, Hashable {
        /// The heartbeat's timestamp, ms since the epoch.
        public var stampMs: Int64
        /// The sum of the steps so far (see ``VigilCore/Heartbeat/clockAdjustMs``).
        public var adjustMs: Int64
        /// The step this reading made (wall − monotonic stamp), when it re-anchored.
        public var stepMs: Int64?
    }

    /// How far the wall clock may drift from the monotonic stamp before the clock re-anchors.
    public let thresholdMs: Int64
    private var anchorWallMs: Int64?
    private var anchorMonotonicMs: Int64 = 0
    /// The sum of the steps so far.
    public private(set) var adjustMs: Int64 = 0

    /// - Parameter thresholdMs: the largest drift kept without a step. Default 1 s.
    public init(thresholdMs: Int64 = 1_000) {
        precondition(thresholdMs > 0, "the step threshold must be positive")
        self.thresholdMs = thresholdMs
    }

    /// The stamp for now, given the wall clock and a monotonic clock (any origin), both in ms.
    public mutating func read(wallMs: Int64, monotonicMs: Int64) -> Reading {
        guard let anchor = anchorWallMs else {
            anchorWallMs = wallMs
            anchorMonotonicMs = monotonicMs
            return Reading(stampMs: wallMs, adjustMs: adjustMs, stepMs: nil)
        }
        let stamp = anchor + (monotonicMs - anchorMonotonicMs)
        let drift = wallMs - stamp
        guard drift.magnitude > thresholdMs.magnitude else {
            return Reading(stampMs: stamp, adjustMs: adjustMs, stepMs: nil)
        }
        anchorWallMs = wallMs
        anchorMonotonicMs = monotonicMs
        adjustMs += drift
        return Reading(stampMs: wallMs, adjustMs: adjustMs, stepMs: drift)
    }
}

/// ``StampClockState`` shared by the probes of one agent, reading the system's wall and monotonic clocks.
///
/// Whichever reading makes a step (a probe's stamp or the shipper's `X-Vigil-Sent-At`) reports it to
/// `onStep`, once: the step is the clock's event, not a probe's (the probe that read next used to be
/// the only one to log it, and missed it when the shipper had read first).
public final class StampClock: Sendable {
    private let state: Mutex<StampClockState>
    private let origin = ContinuousClock.now
    private let wallMs: @Sendable () -> Int64
    private let onStep: (@Sendable (StampClockState.Reading) -> Void)?

    /// - Parameters:
    ///   - thresholdMs: the largest drift kept without a step. Default 1 s.
    ///   - wallMs: the wall clock, ms since the epoch. Default the system's.
    ///   - onStep: called with each reading that made a step (log it, count it).
    public init(
        thresholdMs: Int64 = 1_000,
        wallMs: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) },
        onStep: (@Sendable (StampClockState.Reading) -> Void)? = nil
    ) {
        state = Mutex(StampClockState(thresholdMs: thresholdMs))
        self.wallMs = wallMs
        self.onStep = onStep
    }

    /// The stamp for a probe starting now.
    public func read() -> StampClockState.Reading {
        let wall = wallMs()
        let elapsed = ContinuousClock.now - origin
        let monotonic = elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let reading = state.withLock { $0.read(wallMs: wall, monotonicMs: monotonic) }
        if reading.stepMs != nil { onStep?(reading) }
        return reading
    }

    /// The stamping clock's time now (for the `X-Vigil-Sent-At` header); it may re-anchor like a probe's
    /// reading does.
    public func nowMs() -> Int64 {
        read().stampMs
    }
}
