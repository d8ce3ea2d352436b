import VigilCore
/// Turns an `up` result slower than a threshold into `degraded` (`degraded_after` in the config), for
/// any kind of probe.
public struct LatencyThreshold: Probe {
    /// The probe whose results are judged.
    public var probe: any Probe
    /// Latency above which an up result is degraded, ms.
    public var thresholdMs: Int64

    public init(probe: any Probe, thresholdMs: Int64) {
        self.probe = probe
        self.thresholdMs = thresholdMs
    }

    public func run() async -> ProbeResult {
        var result = await probe.run()
        if result.status == .up && Int64(result.latencyUs) > thresholdMs * 1000 {
            result.status = .degraded
            let slow = "slow: \(OnceRun.formatLatency(result.latencyUs)) > \(DurationText.format(milliseconds: thresholdMs))"
            result.message = result.message.isEmpty ? slow : "\(slow); \(result.message)"
        }
        return result
    }
}
