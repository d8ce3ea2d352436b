import Synchronization

/// What the batch route remembers about refusals for scope, in memory: the definitions refused per agent
/// session (a session's later batches do not repeat its definitions, and their heartbeats must get the
/// same reason, not "unknown check", which would make the agent send them again and again), and which
/// (agent, service) pairs were logged already, so the log says it once. Both are bounded; after a
/// restart the first refusal is logged again and the agent resends its definitions once.
final class ScopeMemory: Sendable {
    private struct State {
        var refused: [String: [UInt32: RefusedDefinition]] = [:]
        var logged: Set<String> = []
    }

    /// Sessions and logged pairs kept at most; past it the memory starts over.
    static let capacity = 10_000

    private let state = Mutex(State())

    /// The definitions refused so far in an agent's session, by check id.
    func refused(agent: Int64, session: String) -> [UInt32: RefusedDefinition] {
        state.withLock { $0.refused["\(agent)/\(session)"] ?? [:] }
    }

    func remember(_ refused: [UInt32: RefusedDefinition], agent: Int64, session: String) {
        state.withLock { state in
            if state.refused.count >= Self.capacity { state.refused.removeAll() }
            state.refused["\(agent)/\(session)"] = refused.isEmpty ? nil : refused
        }
    }

    /// `true` the first time it is asked about this agent and service.
    func firstRefusal(agent: Int64, service: String) -> Bool {
        state.withLock { state in
            if state.logged.count >= Self.capacity { state.logged.removeAll() }
            return state.logged.insert("\(agent)/\(service)").inserted
        }
    }
}
