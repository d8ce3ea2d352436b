import Synchronization

/// Keeps one computed value for a while, so that frequent scrapes and page views do not evaluate every
/// SLA each time. Callers that arrive while it is stale compute it again (at worst a few at once).
final class TimedCache<Value: Sendable>: Sendable {
    private let maxAgeMs: Int64
    private let state = Mutex<(atMs: Int64, value: Value)?>(nil)

    init(maxAgeMs: Int64) { self.maxAgeMs = maxAgeMs }

    /// The kept value when younger than the maximum age, otherwise `compute()`'s, kept from now.
    func value(nowMs: Int64, compute: () async throws -> Value) async throws -> Value {
        if let cached = state.withLock({ $0 }), nowMs - cached.atMs < maxAgeMs { return cached.value }
        let value = try await compute()
        state.withLock { $0 = (nowMs, value) }
        return value
    }
}
