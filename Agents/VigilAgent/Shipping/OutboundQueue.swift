import VigilCore

/// Heartbeats waiting to be shipped, bounded: when full, the oldest are dropped and counted so the
/// next batch reports them (`dropped`). In memory for now; the durable spool replaces it.
actor OutboundQueue {
    private var pending: [Heartbeat] = []
    private var head = 0
    private let limit: Int
    private var droppedSinceReport: UInt64 = 0
    private var oldestArrival: ContinuousClock.Instant?

    init(limit: Int) {
        precondition(limit > 0, "queue limit must be positive")
        self.limit = limit
    }

    /// Heartbeats waiting.
    var count: Int { pending.count - head }

    /// How long the oldest waiting heartbeat has waited.
    func oldestAge(now: ContinuousClock.Instant) -> Duration? {
        oldestArrival.map { now - $0 }
    }

    /// Adds one heartbeat, dropping the oldest when full.
    func add(_ heartbeat: Heartbeat) {
        if count >= limit {
            head += 1
            droppedSinceReport += 1
        }
        if count == 0 { oldestArrival = .now }
        pending.append(heartbeat)
        compactIfNeeded()
    }

    /// Takes up to `max` of the oldest heartbeats and the drop count to report with them.
    func take(max: Int) -> (heartbeats: [Heartbeat], dropped: UInt64) {
        let end = min(pending.count, head + max)
        let taken = Array(pending[head..<end])
        head = end
        let dropped = droppedSinceReport
        droppedSinceReport = 0
        oldestArrival = count > 0 ? .now : nil
        compactIfNeeded()
        return (taken, dropped)
    }

    /// Records heartbeats that were lost after being taken (the collector refused their batch).
    func reportLost(_ count: Int) {
        droppedSinceReport += UInt64(count)
    }

    /// Puts an unreported drop count back (the batch that carried it was not delivered).
    func restoreDropped(_ count: UInt64) {
        droppedSinceReport += count
    }

    private func compactIfNeeded() {
        if head > 4096 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }
}
