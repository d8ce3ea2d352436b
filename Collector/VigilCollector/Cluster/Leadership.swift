import Synchronization

/// Whether this collector leads: evaluation, alert delivery and pruning run only on the leader, so
/// several replicas on one store raise and send each alert once (DESIGN §9).
public final class Leadership: Sendable {
    private let leading: Atomic<Bool>

    /// - Parameter leading: the starting state; a lone collector on SQLite always leads.
    public init(leading: Bool) {
        self.leading = Atomic(leading)
    }

    /// Whether this replica holds the leader lock now.
    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// Sets the state; returns whether it changed.
    @discardableResult
    func set(_ value: Bool) -> Bool {
        leading.exchange(value, ordering: .acquiringAndReleasing) != value
    }
}

/// The lock replicas compete for.
protocol LeaderLock: Sendable {
    /// Takes the lock or confirms it is still held; `false` when another replica has it. Throws when
    /// the lock's connection is lost (leadership is then lost too).
    func acquireOrConfirm() async throws -> Bool
    /// Lets go of the lock (graceful shutdown), so another replica takes over at once.
    func release() async
}

/// The lock of a collector that shares its store with nobody: always held.
struct SoleLeaderLock: LeaderLock {
    func acquireOrConfirm() async throws -> Bool { true }
    func release() async {}
}
