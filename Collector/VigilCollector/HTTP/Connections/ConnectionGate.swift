import Logging
import Synchronization

/// Counts the listener's open connections against ``ConnectionLimits/max``, shared by every
/// connection's ``ConnectionGuardHandler``; counts and logs what it turns away.
final class ConnectionGate: Sendable {
    enum Admission: Equatable {
        case admitted
        /// Past the limit: it may still ask for `/healthz`, if its request head arrives within this many ms
        /// (a health check sends at once; a bare socket sends nothing and is gone soon).
        case overLimit(headTimeoutMs: Int64)
    }

    /// Connections served at once (already capped by the file limit).
    let max: Int
    let limits: ConnectionLimits
    private let open = Atomic<Int>(0)
    private let lastLogMs = Atomic<Int64>(0)
    private let logger: Logger
    private let metrics: CollectorMetrics

    init(limits: ConnectionLimits, max: Int, metrics: CollectorMetrics, logger: Logger) {
        self.limits = limits
        self.max = max
        self.metrics = metrics
        self.logger = logger
    }

    /// Connections open now.
    var openConnections: Int { open.load(ordering: .relaxed) }

    func enter() -> Admission {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        metrics.connectionsOpen(count)
        if count <= max { return .admitted }
        return .overLimit(headTimeoutMs: count <= max + ConnectionLimits.overLimitGrace ? ConnectionLimits.overLimitHeadTimeoutMs : ConnectionLimits.floodHeadTimeoutMs)
    }

    func leave() {
        metrics.connectionsOpen(open.wrappingSubtract(1, ordering: .relaxed).newValue)
    }

    /// Counts a connection turned away (`too_many_connections`, `request_timeout`) and logs, at most
    /// once every 10 s per reason family, why.
    func turnedAway(_ reason: String) {
        metrics.connectionRefused(reason)
        let now = WallClock.nowMs()
        let last = lastLogMs.load(ordering: .relaxed)
        guard now - last >= 10_000, lastLogMs.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        logger.warning("turning connections away (logged at most every 10 s; counted in vigil_collector_connections_refused_total)", metadata: [
            "reason": "\(reason)", "open": "\(openConnections)", "max": "\(max)",
            "idle_timeout_ms": "\(limits.idleTimeoutMs)", "request_timeout_ms": "\(limits.requestTimeoutMs)",
        ])
    }
}
