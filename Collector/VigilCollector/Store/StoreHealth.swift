import Logging
import Synchronization

/// Whether the store took the last write it was given (issue 19: a full disk answered 500 with an empty
/// body while `/healthz` said 200). A storage failure marks it degraded, with its cause, until a write
/// succeeds again; `/healthz` and `/metrics` show it, and the log says it once per episode.
public final class StoreHealth: Sendable {
    private struct State {
        var cause: String?
        var sinceMs: Int64?
    }

    private let state = Mutex(State())
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// The cause while degraded; `nil` when the store works.
    public var degradedCause: String? { state.withLock { $0.cause } }

    /// Records a storage failure; logs the first of an episode.
    func failed(_ cause: String, nowMs: Int64) {
        let first = state.withLock { state in
            defer { state.cause = cause }
            if state.sinceMs == nil {
                state.sinceMs = nowMs
                return true
            }
            return false
        }
        if first {
            logger.error("the store cannot be used; batches are answered 503 store_unavailable and agents keep their data", metadata: ["cause": "\(cause)"])
        }
    }

    /// Records a write that worked; logs the end of an episode.
    func succeeded(nowMs: Int64) {
        let since = state.withLock { state -> Int64? in
            defer { state = State() }
            return state.sinceMs
        }
        if let since {
            logger.notice("the store works again", metadata: ["degraded_for_ms": "\(nowMs - since)"])
        }
    }
}
