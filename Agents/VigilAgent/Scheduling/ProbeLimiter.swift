import Synchronization

/// A counting semaphore for probes: at most `limit` run at once; the rest wait in arrival order.
final class ProbeLimiter: Sendable {
    private struct State {
        var running = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID = 0
        /// Waiters cancelled before they were queued.
        var cancelledEarly: Set<Int> = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "limit must be positive")
        self.limit = limit
    }

    /// Waits for a slot; `false` when the task was cancelled while waiting (no slot is held then).
    func acquire() async -> Bool {
        let ticket: Int? = state.withLock { state in
            if state.running < limit {
                state.running += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    if state.cancelledEarly.remove(ticket) != nil { return true }
                    state.waiters.append((ticket, continuation))
                    return false
                }
                if cancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                if let index = state.waiters.firstIndex(where: { $0.id == ticket }) {
                    return state.waiters.remove(at: index).continuation
                }
                state.cancelledEarly.insert(ticket)
                return nil
            }
            waiter?.resume(returning: false)
        }
    }

    /// Gives a slot back, handing it to the longest waiter.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Probes running now.
    var inUse: Int { state.withLock { $0.running } }
}
