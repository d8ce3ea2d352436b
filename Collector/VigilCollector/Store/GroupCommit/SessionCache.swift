import Synchronization

/// Each agent's current session's checks (its local check ids mapped to the store's checks), kept in
/// memory so that a request works out its batch's ``IngestPlan`` before the batch reaches the writer
/// (issue 20): validating, grouping and summing a batch's heartbeats then runs beside other requests,
/// and the one writer only folds and writes.
///
/// Definitions change only in a transaction that stores a batch with definitions or imports a history,
/// and each of those empties the cache once it has ended (``invalidate()``), moving the generation on.
/// A plan is used on the writer only when worked out at the current generation and no batch before it
/// in its transaction stored definitions; anything else is worked out again there, as before.
final class SessionCache: Sendable {
    /// What one agent's session maps.
    struct Entry: Sendable {
        var sessionID: String
        var checks: [UInt32: IngestPlan.SessionCheck]
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Int64: Entry] = [:]
    }

    private let state = Mutex(State())

    /// How many definition changes the cache has seen: a plan worked out at an older one may be stale.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// The session's checks when known, with the generation they are current at.
    func checks(agentID: Int64, sessionID: String) -> (checks: [UInt32: IngestPlan.SessionCheck], generation: UInt64)? {
        state.withLock { state in
            guard let entry = state.entries[agentID], entry.sessionID == sessionID else { return nil }
            return (entry.checks, state.generation)
        }
    }

    /// Keeps checks read from the store after the generation was `generation` (read before the store
    /// was): dropped when definitions changed since, as the read may have come before that change.
    /// One entry an agent: a new session replaces the old one's.
    func store(agentID: Int64, sessionID: String, checks: [UInt32: IngestPlan.SessionCheck], readAt generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            state.entries[agentID] = Entry(sessionID: sessionID, checks: checks)
        }
    }

    /// Whether nothing changed definitions since `generation`.
    func isCurrent(_ generation: UInt64) -> Bool {
        state.withLock { $0.generation == generation }
    }

    /// Forgets every session: a transaction that could change definitions has ended (committed or not).
    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
        }
    }
}

/// A batch on its way to the writer, with the plan its request worked out when it could.
struct PlannedBatch: Sendable {
    var input: IngestBatch
    /// Worked out from the session's checks at ``generation``; `nil` when the writer must work it out.
    var plan: IngestPlan?
    var generation: UInt64

    init(_ input: IngestBatch, plan: IngestPlan? = nil, generation: UInt64 = 0) {
        self.input = input
        self.plan = plan
        self.generation = generation
    }
}
