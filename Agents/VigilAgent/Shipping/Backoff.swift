/// Exponential backoff with full jitter (DESIGN §4): attempt n waits a random time in
/// `[0, min(cap, base × 2ⁿ)]`.
public struct Backoff: Sendable, Hashable {
    /// First ceiling. Default 1 s.
    public var baseMs: Int64 = 1_000
    /// Largest ceiling. Default 30 s.
    public var capMs: Int64 = 30_000
    /// Failures so far.
    public private(set) var attempt = 0

    public init(baseMs: Int64 = 1_000, capMs: Int64 = 30_000) {
        self.baseMs = baseMs
        self.capMs = capMs
    }

    /// The ceiling for the current attempt.
    public var ceilingMs: Int64 {
        let shift = min(attempt, 30)
        return min(capMs, baseMs << shift)
    }

    /// Registers a failure and returns how long to wait before the next try.
    public mutating func nextDelayMs<G: RandomNumberGenerator>(using generator: inout G) -> Int64 {
        let delay = Int64.random(in: 0...ceilingMs, using: &generator)
        attempt += 1
        return delay
    }

    /// Registers a failure and returns how long to wait before the next try.
    public mutating func nextDelayMs() -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return nextDelayMs(using: &generator)
    }

    /// Starts over after a success.
    public mutating func reset() { attempt = 0 }
}
