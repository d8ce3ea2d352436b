/// Which services an alert pass must evaluate again (issue 20): the report-driven rules (burn rates, SLA
/// period breaches) cost what changed, not what exists.
///
/// A service's figures change in two ways: with new data, which the change feed reports
/// (``changed(_:nowMs:)``), and with time alone. Time alone cannot make a rule fire for a service whose
/// last evaluation counted nothing bad: the windows only slide (dropping old time) and grow by what the
/// checks report from then on, and a check's newest interval ends where its data stops, after which time
/// is unknown. Unknown time excluded or counted as up adds nothing bad, and down time only comes with
/// failed heartbeats, which the feed always reports. Such a service is *quiet*: it is evaluated again
/// only when the feed reports it (and for ``settleMs`` after), when its calendar period ends, or when a
/// maintenance window covering it changes.
/// Every other service is *hot* and evaluated on every pass of the rule, as before.
///
/// Always hot: services that count unknown time as down (time alone adds bad time once data stops), and
/// services whose burn-rate rules look back further than the engine's longest burn window.
///
/// A pass is a pure transition: ``startPass(_:nowMs:)`` says what to evaluate, ``finishPass(_:due:results:nowMs:)``
/// records what it found, ``abandonPass(_:)`` puts the services back when the pass failed.
public struct RuleSchedule: Sendable {
    /// The rules that read an SLA report.
    public enum Rule: Sendable, Hashable, CaseIterable {
        /// `slo.burn_rate`, over the 24 h report (its burn windows reach back three days).
        case burnRate
        /// `sla.breached`, over each service's SLA period.
        case period
    }

    /// What a pass evaluates.
    public enum Due: Sendable, Hashable {
        /// Every service: the first pass, after ``reset()``, after a window covering every service changed.
        case all
        /// Only these services (possibly none).
        case only(Set<String>)
    }

    /// One service's figures as a pass found them, with the settings that judged them.
    public struct Evaluated: Sendable {
        public var result: SLAResult
        public var policy: ServicePolicy

        public init(result: SLAResult, policy: ServicePolicy) {
            self.result = result
            self.policy = policy
        }
    }

    struct Track: Sendable {
        /// A pass over every service has finished since the last reset.
        var primed = false
        /// Reported by the feed since this rule's last pass started.
        var pending: Set<String> = []
        /// Being evaluated by the pass in flight.
        var inFlight: Set<String> = []
        /// Evaluated on every pass.
        var hot: Set<String> = []
        /// Quiet services and when their figures must be looked at again regardless (their period's end).
        var quietUntil: [String: Int64] = [:]
        /// How many services the last finished pass evaluated.
        var lastEvaluated = 0
    }

    private var tracks: [Rule: Track] = [.burnRate: Track(), .period: Track()]
    /// When the feed last reported each recently changed service.
    private var recent: [String: Int64] = [:]
    private var maintenance: [String: String]?

    /// How long a change keeps its service hot: heartbeats may be stamped up to this far after they are
    /// stored (the collector's clock-skew allowance), so a failure can enter the windows this much later
    /// than the feed reports it. Default 5 minutes.
    public var settleMs: Int64

    public init(settleMs: Int64 = 5 * 60_000) {
        self.settleMs = settleMs
    }

    /// Forgets everything: the next pass of each rule evaluates every service.
    public mutating func reset() {
        tracks = [.burnRate: Track(), .period: Track()]
        recent = [:]
        maintenance = nil
    }

    /// Services whose history the change feed reported at `nowMs`.
    public mutating func changed(_ services: some Sequence<String>, nowMs: Int64) {
        for service in services {
            recent[service] = nowMs
            for rule in Rule.allCases { tracks[rule]!.pending.insert(service) }
        }
    }

    /// The maintenance windows in force. A window added, edited or removed makes the services it covers
    /// due (every service for `*`), since removing a window can expose down time it hid.
    public mutating func maintenance(_ windows: [MaintenanceWindow]) {
        let now = Dictionary(windows.map { ($0.fingerprint, $0.service) }, uniquingKeysWith: { first, _ in first })
        defer { maintenance = now }
        guard let before = maintenance, before != now else { return }
        let touched = Set(before.keys).symmetricDifference(now.keys).map { before[$0] ?? now[$0]! }
        if touched.contains("*") {
            for rule in Rule.allCases { tracks[rule]!.primed = false }
        } else {
            for rule in Rule.allCases { tracks[rule]!.pending.formUnion(touched) }
        }
    }

    /// Starts a pass of `rule` at `nowMs`: what it must evaluate.
    public mutating func startPass(_ rule: Rule, nowMs: Int64) -> Due {
        recent = recent.filter { nowMs - $0.value < settleMs }
        var track = tracks[rule]!
        defer { tracks[rule] = track }
        guard track.primed else {
            track.inFlight = track.pending
            track.pending = []
            return .all
        }
        var due = track.pending.union(track.hot).union(recent.keys)
        for (service, until) in track.quietUntil where nowMs >= until { due.insert(service) }
        track.inFlight = track.pending
        track.pending = []
        return .only(due)
    }

    /// Records what the pass of `rule` started at `nowMs` found: each service evaluated, quiet or hot.
    public mutating func finishPass(_ rule: Rule, due: Due, results: [Evaluated], nowMs: Int64) {
        var track = tracks[rule]!
        defer { tracks[rule] = track }
        if case .only(let services) = due {
            // A service that was due and gave no figures (none are known for it) is neither.
            for service in services {
                track.hot.remove(service)
                track.quietUntil[service] = nil
            }
        } else {
            track.hot = []
            track.quietUntil = [:]
            track.primed = true
        }
        for evaluated in results {
            let service = evaluated.result.service
            if let until = Self.quietUntil(rule, evaluated) {
                track.hot.remove(service)
                track.quietUntil[service] = until
            } else {
                track.quietUntil[service] = nil
                track.hot.insert(service)
            }
        }
        track.inFlight = []
        track.lastEvaluated = results.count
    }

    /// The pass of `rule` failed: what it was to evaluate is due again.
    public mutating func abandonPass(_ rule: Rule) {
        tracks[rule]!.pending.formUnion(tracks[rule]!.inFlight)
        tracks[rule]!.inFlight = []
    }

    /// How many services each rule holds as hot and as quiet (for metrics and tests).
    public func counts(_ rule: Rule) -> (hot: Int, quiet: Int) {
        (tracks[rule]!.hot.count, tracks[rule]!.quietUntil.count)
    }

    /// How many services the last finished pass of `rule` evaluated.
    public func lastEvaluated(_ rule: Rule) -> Int { tracks[rule]!.lastEvaluated }

    /// Until when the figures cannot make `rule` fire without new data; `nil` when they can (hot).
    public static func quietUntil(_ rule: Rule, _ evaluated: Evaluated) -> Int64? {
        let result = evaluated.result
        let policy = evaluated.policy
        guard policy.unknownPolicy != .down else { return nil }
        switch rule {
        case .burnRate:
            guard result.burnFirings.isEmpty else { return nil }
            guard let target = result.target, target.ppm < 1_000_000 else { return Int64.max }
            let longest = SLAEvaluator.burnWindowsMs.last!
            let rules = BurnRateAlerts.rules(for: policy.period, base: policy.burnRules)
            guard rules.allSatisfy({ $0.longMs <= longest }),
                  let widest = result.burnRates.first(where: { $0.windowMs == longest })
            else { return nil }
            // Nothing known in three days, or nothing of it down: no rule can fire on what is stored.
            if let rate = widest.exactRate, rate > ExactRatio.zero { return nil }
            return Int64.max
        case .period:
            guard result.good == result.counted, result.met != false else { return nil }
            if case .rolling = policy.period { return Int64.max }
            return result.window.endMs
        }
    }
}
