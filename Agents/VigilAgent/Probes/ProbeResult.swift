import VigilCore

/// What one probe saw.
public struct ProbeResult: Sendable, Hashable {
    /// The conclusion.
    public var status: CheckStatus
    /// How long the probe took, µs.
    public var latencyUs: UInt32
    /// Detail code: the HTTP status, or 0.
    public var code: Int32
    /// Short human message (`status 503`, `connect refused`, `timeout after 10s`); empty when up.
    public var message: String

    public init(status: CheckStatus, latencyUs: UInt32, code: Int32 = 0, message: String = "") {
        self.status = status
        self.latencyUs = latencyUs
        self.code = code
        self.message = message
    }
}

/// Something that can probe a target once.
public protocol Probe: Sendable {
    /// Runs the probe, never throwing: every failure is a result.
    func run() async -> ProbeResult
}

extension ContinuousClock.Instant.Duration {
    /// The duration in whole microseconds, clamped to `UInt32`.
    var microseconds: UInt32 {
        let (seconds, attoseconds) = components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return UInt32(clamping: max(0, micros))
    }
}
