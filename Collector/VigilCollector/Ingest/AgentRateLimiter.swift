import Synchronization

/// How fast one agent may send batches: a token bucket per agent.
public struct AgentRateLimit: Sendable, Hashable {
    /// Batches per second an agent may keep sending. Default 20 (a real agent sends one every few
    /// seconds; 20 lets it drain hours of spool at 20,000 heartbeats/s with 1,000-heartbeat batches).
    public var requestsPerSecond: Double = 20
    /// Batches it may send at once after a quiet spell. Default 40.
    public var burst: Int = 40

    public init(requestsPerSecond: Double = 20, burst: Int = 40) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }
}

/// Per-agent token buckets, kept in memory by each collector replica (so with several replicas an
/// agent's budget is per replica). A batch over the rate is answered `429 rate_limited` with
/// `Retry-After` before its body is read.
final class AgentRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: AgentRateLimit
    private let buckets = Mutex<[Int64: Bucket]>([:])

    init(limit: AgentRateLimit) {
        precondition(limit.requestsPerSecond > 0 && limit.burst >= 1, "a rate limit needs a positive rate and a burst of at least 1")
        self.limit = limit
    }

    /// Takes one token for `agent`; `nil` when admitted, otherwise how long until a token is there.
    func admit(agent: Int64, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[agent] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + max(0, seconds) * limit.requestsPerSecond)
            bucket.updated = max(now, bucket.updated)
            defer { buckets[agent] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .seconds((1 - bucket.tokens) / limit.requestsPerSecond)
        }
    }
}
