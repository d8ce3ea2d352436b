import Synchronization
import VigilCore

/// What ingest and the ``OutageTracker`` share in memory (issue 20): the latest end of each service's
/// stored outages (so ingest can tell which heartbeats cannot change an outage and records no change
/// for them), each service's success threshold, a flag raised when a commit recorded changes, and the
/// services the tracker found changed, which the ``AlertEvaluator`` evaluates again (``RuleSchedule``).
///
/// The store is the record: the feed only saves work. Until ``load(latestEnds:)`` has run, every fold
/// is recorded as a change.
public final class OutageFeed: Sendable {
    private struct State {
        var loaded = false
        var latestEnds: [String: Int64] = [:]
    }

    private let state = Mutex(State())
    /// Services a pass is deriving: their outages may be about to reach further than the stored ends.
    private let deriving = Mutex<[String: Int]>([:])
    private let changed = Atomic<Bool>(false)
    private let ruleChanges = Mutex(Set<String>())
    private let alerted = Atomic<Bool>(false)
    private let successThreshold: @Sendable (String) -> Int

    /// - Parameter successThreshold: each service's `confirm.success` (default 1 for all).
    public init(successThreshold: @escaping @Sendable (String) -> Int = { _ in 1 }) {
        self.successThreshold = successThreshold
    }

    /// Takes the latest end of every service's stored outages, as read from the store.
    public func load(latestEnds: [String: Int64]) {
        state.withLock { state in
            state.latestEnds = latestEnds
            state.loaded = true
        }
    }

    /// Records the latest end of a service's stored outages after the tracker wrote them.
    func record(service: String, latestEndMs: Int64?) {
        state.withLock { state in state.latestEnds[service] = latestEndMs }
    }

    /// Whether folding these heartbeats of a check of `service` must be recorded as a change
    /// (``OutageLedger/mayChange(tip:firstMs:allSucceeded:successThreshold:latestOutageEndMs:)``).
    func mustRecord(service: String, tip: StateInterval?, firstMs: Int64, allSucceeded: Bool) -> Bool {
        let (loaded, latest) = state.withLock { ($0.loaded, $0.latestEnds[service]) }
        guard loaded, deriving.withLock({ $0[service] == nil }) else { return true }
        return OutageLedger.mayChange(
            tip: tip, firstMs: firstMs, allSucceeded: allSucceeded, successThreshold: successThreshold(service), latestOutageEndMs: latest
        )
    }

    /// A pass read these services from the change feed and derives them: until ``endDeriving(_:)``,
    /// every fold of theirs is recorded. The outages the pass writes may reach past the stored ends the
    /// filter knows, so a batch it did not see (committed after its reads) must leave a change for the
    /// next pass. The store's feed read calls this before it waits for the commits in flight, so a batch
    /// judged without it is in what the pass reads.
    func beginDeriving(_ services: some Sequence<String>) {
        deriving.withLock { for service in services { $0[service, default: 0] += 1 } }
    }

    /// The pass that began deriving these has written (or failed): the stored ends are current again.
    func endDeriving(_ services: some Sequence<String>) {
        deriving.withLock { counts in
            for service in services {
                if let count = counts[service], count > 1 { counts[service] = count - 1 } else { counts[service] = nil }
            }
        }
    }

    /// Raised by a commit that recorded changes; the tracker takes it.
    func raiseChanged() { changed.store(true, ordering: .releasing) }
    func takeChanged() -> Bool { changed.exchange(false, ordering: .acquiringAndReleasing) }

    /// Services the tracker read from the change feed: their figures may have changed.
    func noteChanged(_ services: some Sequence<String>) {
        ruleChanges.withLock { $0.formUnion(services) }
    }

    /// The services noted since the last call; the alert evaluator takes them.
    func takeRuleChanges() -> Set<String> {
        ruleChanges.withLock { set in
            defer { set = [] }
            return set
        }
    }

    /// Raised when alerts were put in the outbox; the dispatcher takes it.
    func raiseAlerted() { alerted.store(true, ordering: .releasing) }
    func takeAlerted() -> Bool { alerted.exchange(false, ordering: .acquiringAndReleasing) }
}

/// A service whose history changed since its outages were last derived: one row of the change feed.
///
/// A derivation deletes the row it read when no change came in since (same ``seq``). When changes did,
/// the row stays and its start moves to the earliest of them: beside `from_ms` the row keeps
/// `recent_from_ms`, the earliest change since `recent_since_seq` (a new row starts it at its first
/// change, 1; each derivation that moves the start sets it to the row's sequence then). A derivation
/// that read sequence `s ≥ recent_since_seq` saw every change up to `s`, so everything after it is in
/// `recent_from_ms`, and the start becomes that; a derivation that read before someone else moved the
/// start (two leaders for a moment) leaves it alone. Without it, a service changed by every commit kept
/// its first change as start for good and every pass derived it again from there, longer each time.
public struct OutageChange: Sendable, Hashable {
    public var service: String
    /// The earliest heartbeat time a change touched.
    public var fromMs: Int64
    /// Bumped by every change; the tracker clears the row only when it is still the one it derived.
    public var seq: Int64
    /// When the oldest change not yet derived was committed; ``historyMarkMs`` for history (an import,
    /// an upgrade's first derivation), which raises alerts only for outages still going on.
    public var markedMs: Int64

    /// The commit time history is marked with: later than any outage's end plus the alert horizon.
    public static let historyMarkMs: Int64 = 1 << 61

    public init(service: String, fromMs: Int64, seq: Int64, markedMs: Int64) {
        self.service = service
        self.fromMs = fromMs
        self.seq = seq
        self.markedMs = markedMs
    }
}

/// What the tracker writes for one service in one transaction.
public struct OutageWrite: Sendable {
    /// An alert to put in the outbox with the hooks it goes to; `after`, when set, is the dedupe key of
    /// an alert that must already be stored (a resolved goes out only after its opened).
    public struct Alert: Sendable {
        public var alert: StoredAlert
        public var hooks: [String]
        public var after: String?
    }

    public var service: String
    public var changes: OutageLedger.Changes
    public var alerts: [Alert]
    /// The change row derived, cleared if no change came since (`nil`: none).
    public var clearing: OutageChange?
}
