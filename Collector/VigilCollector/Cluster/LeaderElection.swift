import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VigilCore

/// Competes for the leader lock every `every` and reports this replica in the store (`GET
/// /v1/replicas`). A replica that loses the lock's connection stops leading at once; when the leader
/// dies, PostgreSQL frees its lock and another replica takes it on its next try.
struct LeaderElection: Service {
    let lock: any LeaderLock
    let leadership: Leadership
    let store: any ReplicaStore
    let identity: ReplicaIdentity
    /// Time between tries. Default 1 s.
    var every: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick()
                try await Task.sleep(for: every)
            }
        }
        leadership.set(false)
        await lock.release()
        try? await store.recordReplica(identity.record(leader: false, nowMs: WallClock.nowMs()))
    }

    /// One try: take or confirm the lock, then report.
    func tick() async {
        let leading: Bool
        do {
            leading = try await lock.acquireOrConfirm()
        } catch {
            if leadership.isLeader { logger.error("lost the leader lock", metadata: ["error": "\(error)"]) }
            leading = false
        }
        if leadership.set(leading) {
            logger.notice(leading ? "leading: evaluating and delivering alerts" : "no longer leading", metadata: ["instance": "\(identity.instance)"])
        }
        do {
            try await store.recordReplica(identity.record(leader: leading, nowMs: WallClock.nowMs()))
        } catch {
            logger.warning("cannot record this replica", metadata: ["error": "\(error)"])
        }
    }
}

/// Who this collector process is, for the replica list.
public final class ReplicaIdentity: Sendable {
    /// Host name, process id and start time.
    public let instance: String
    /// When the process started.
    public let startedMs: Int64
    private let address: Mutex<String>

    init(address: String) {
        startedMs = WallClock.nowMs()
        instance = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(startedMs)"
        self.address = Mutex(address)
    }

    /// Sets the address once the server listens (the port may have been 0).
    func listening(on address: String) { self.address.withLock { $0 = address } }

    func record(leader: Bool, nowMs: Int64) -> ReplicaRecord {
        ReplicaRecord(
            instance: instance, address: address.withLock { $0 }, version: VigilVersion.current, startedMs: startedMs,
            lastSeenMs: nowMs, leader: leader
        )
    }
}
