import Synchronization

/// The memory that batches being received, inflated and stored may hold at once.
///
/// Every batch request reserves its bytes as they arrive (compressed, then inflated) and gives them back
/// when it is answered. A reservation that would pass the limit fails, and the request is answered
/// `503 overloaded` with `Retry-After`: under overload the collector sheds load instead of growing
/// without bound, and agents keep the batch in their spool and retry (DESIGN §4).
public final class IngestBudget: Sendable {
    /// The most bytes all batch requests may hold together.
    public let limitBytes: Int
    private let used = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)

    public init(limitBytes: Int) {
        precondition(limitBytes > 0, "the ingest budget must be positive")
        self.limitBytes = limitBytes
    }

    /// Bytes held by batch requests now.
    public var usedBytes: Int { used.load(ordering: .relaxed) }
    /// Batch requests being received or stored now: the ingest queue's depth.
    public var requestsInFlight: Int { requests.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget; `false` (and nothing taken) when that would pass the limit.
    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limitBytes else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back bytes taken with ``reserve(_:)``.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.subtract(bytes, ordering: .relaxed)
    }

    /// A new request's share: hold it for the request's life and call ``Share/finish()`` once.
    func open() -> Share {
        requests.add(1, ordering: .relaxed)
        return Share(budget: self)
    }

    /// What one request holds of the budget.
    final class Share {
        private let budget: IngestBudget
        private(set) var heldBytes = 0
        private var finished = false

        fileprivate init(budget: IngestBudget) { self.budget = budget }

        /// Takes `bytes` more; throws the 503 answer when the budget is spent.
        func take(_ bytes: Int) throws(APIError) {
            guard budget.reserve(bytes) else {
                var error = APIError(
                    .serviceUnavailable, code: "overloaded",
                    "the collector is receiving more than it can hold (\(budget.limitBytes) bytes of batches in flight): retry later"
                )
                error.headers[.retryAfter] = "1"
                // The rest of the body is not read: close the connection rather than drain it.
                error.headers[.connection] = "close"
                throw error
            }
            heldBytes += bytes
        }

        /// Gives everything back.
        func finish() {
            guard !finished else { return }
            finished = true
            budget.release(heldBytes)
            heldBytes = 0
            budget.requests.subtract(1, ordering: .relaxed)
        }
    }
}
