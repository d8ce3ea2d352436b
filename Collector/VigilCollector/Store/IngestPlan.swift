import VigilCore
import VigilWire

/// What storing one batch means, worked out the same way for every engine: each heartbeat checked
/// against the session's checks and the accepted time span, the accepted ones grouped per check in time
/// order and summed into rollup rows.
struct IngestPlan: Sendable {
    /// A check of the agent's session, as the store knows it.
    struct SessionCheck: Sendable {
        /// Store id.
        var id: Int64
        /// A heartbeat older than this ends the check's interval as unknown (see `CheckDefinition`).
        var staleAfterMs: Int64
        /// The probe interval: a run is not extended across a gap of more than 1.5 of these.
        var intervalMs: Int64
        /// The service it belongs to.
        var service: String

        init(id: Int64, intervalMs: Int64, timeoutMs: Int64, service: String) {
            self.id = id
            self.service = service
            self.intervalMs = intervalMs
            staleAfterMs = CheckDefinition(
                id: 0, name: "", service: "", kind: "", target: "",
                intervalMs: UInt32(truncatingIfNeeded: intervalMs), timeoutMs: UInt32(truncatingIfNeeded: timeoutMs)
            ).staleAfterMs
        }
    }

    /// Refused heartbeats, by index, with the reason.
    private(set) var rejected: [BatchAck.Rejection] = []
    /// Whether a heartbeat named a check id the session has not defined.
    private(set) var unknownCheck = false
    /// Check ids whose heartbeats were refused because the agent may not report their service: stored
    /// with the raw batch, so reading it back leaves them out too.
    private(set) var refusedChecks: Set<UInt32> = []
    /// Heartbeats refused for that reason, by service.
    private(set) var outOfScope: [String: Int] = [:]
    /// Accepted heartbeats per check id, each sorted by time.
    private(set) var perCheck: [Int64: [Heartbeat]] = [:]
    /// The stale limit of each check in `perCheck`.
    private(set) var staleAfter: [Int64: Int64] = [:]
    /// The probe interval of each check in `perCheck`.
    private(set) var interval: [Int64: Int64] = [:]
    /// Each check's service.
    private(set) var service: [Int64: String] = [:]
    /// The accepted heartbeats summed per service and rollup period.
    private(set) var rollups = RollupAccumulator()
    /// How many heartbeats were accepted.
    private(set) var accepted = 0
    /// The newest accepted heartbeat's time.
    private(set) var newestMs: Int64?
    /// The minutes (start, ms) accepted heartbeats fall in: the raw batch is indexed under them, so exact
    /// counts over partial minutes can find it (issue 18).
    private(set) var minutes: Set<Int64> = []

    init(_ input: IngestBatch, sessionChecks: [UInt32: SessionCheck]) {
        var grouped: [UInt32: [Heartbeat]] = [:]
        // Each service's verdict once per batch: a scope's globs are not matched again for every heartbeat.
        var verdicts: [String: String?] = [:]
        func refusal(_ service: String) -> String? {
            guard let permission = input.permission else { return nil }
            if let known = verdicts[service] { return known }
            let reason = permission.refusal(service)
            verdicts[service] = .some(reason)
            return reason
        }
        for (index, heartbeat) in input.batch.heartbeats.enumerated() {
            if let refused = input.refusedDefinitions[heartbeat.check] {
                refuse(index: index, check: heartbeat.check, service: refused.service, reason: refused.reason)
                continue
            }
            guard let check = sessionChecks[heartbeat.check] else {
                unknownCheck = true
                rejected.append(.init(index: index, reason: "unknown check id \(heartbeat.check): send its definition"))
                continue
            }
            // A check defined while the agent's scope or the config allowed it may no longer be allowed.
            if let reason = refusal(check.service) {
                refuse(index: index, check: heartbeat.check, service: check.service, reason: reason)
                continue
            }
            if heartbeat.timestampMs > input.newestAcceptedMs {
                rejected.append(.init(index: index, reason: "timestamp \(heartbeat.timestampMs) is more than the allowed skew in the future"))
                continue
            }
            if heartbeat.timestampMs < input.oldestAcceptedMs {
                rejected.append(.init(index: index, reason: "timestamp \(heartbeat.timestampMs) is older than the retention period"))
                continue
            }
            grouped[heartbeat.check, default: []].append(heartbeat)
            minutes.insert(RollupAccumulator.floor(heartbeat.timestampMs, to: RollupResolution.minute.rawValue))
            accepted += 1
            newestMs = max(newestMs ?? Int64.min, heartbeat.timestampMs)
        }
        for (wireID, beats) in grouped {
            guard let check = sessionChecks[wireID] else { continue }
            let sorted = beats.sorted { $0.timestampMs < $1.timestampMs }
            perCheck[check.id] = sorted
            staleAfter[check.id] = check.staleAfterMs
            interval[check.id] = check.intervalMs
            service[check.id] = check.service
            rollups.record(sorted: sorted, service: check.service)
        }
    }

    private mutating func refuse(index: Int, check: UInt32, service: String, reason: String) {
        rejected.append(.init(index: index, reason: reason))
        refusedChecks.insert(check)
        outOfScope[service, default: 0] += 1
    }

    /// The refused check ids as stored with the raw batch (`"3,17"`); `nil` when none.
    /// The services whose outages these heartbeats can change, each with the earliest heartbeat time
    /// that does (``OutageFeed``): `tips` gives each check's newest run before the fold.
    func outageChanges(tips: [Int64: StateInterval], feed: OutageFeed) -> [String: Int64] {
        var changes: [String: Int64] = [:]
        for (checkID, beats) in perCheck {
            let service = service[checkID]!
            let first = beats[0].timestampMs
            let succeeded = beats.allSatisfy { $0.status == .up || $0.status == .degraded }
            if feed.mustRecord(service: service, tip: tips[checkID], firstMs: first, allSucceeded: succeeded) {
                changes[service] = min(changes[service] ?? first, first)
            }
        }
        return changes
    }

    var refusedChecksText: String? {
        refusedChecks.isEmpty ? nil : refusedChecks.sorted().map(String.init).joined(separator: ",")
    }

    /// The outcome to answer the agent with.
    var outcome: IngestOutcome {
        IngestOutcome(accepted: accepted, duplicate: false, rejected: rejected, unknownCheck: unknownCheck, outOfScope: outOfScope)
    }
}

/// How time-ordered heartbeats change a check's stored intervals.
struct IntervalFold {
    /// Stored intervals to delete: gone, and not rewritten at the same start.
    var removed: [StateInterval]
    /// Intervals to write (new or changed), replacing any stored row with the same start.
    var added: [StateInterval]
    /// The newest interval after the fold.
    var tip: StateInterval

    /// Folds `heartbeats` into `runs` (every stored interval they can touch, plus the newest); `nil` when
    /// nothing changes.
    init?(runs: [StateInterval], heartbeats: [Heartbeat], staleAfterMs: Int64, intervalMs: Int64?) {
        var after = runs
        for heartbeat in heartbeats {
            IntervalTimeline.apply(
                timestampMs: heartbeat.timestampMs, status: heartbeat.status, message: heartbeat.message, to: &after,
                staleAfterMs: staleAfterMs, intervalMs: intervalMs
            )
        }
        guard after != runs, let tip = after.last else { return nil }
        self.tip = tip
        // The common case is one or two runs (the tip, maybe a new one): compared one by one, not hashed.
        if runs.count + after.count <= 16 {
            let added = after.filter { !runs.contains($0) }
            self.added = added
            removed = runs.filter { run in !after.contains(run) && !added.contains { $0.startMs == run.startMs } }
            return
        }
        let kept = Set(after)
        let old = Set(runs)
        added = after.filter { !old.contains($0) }
        // The common case, the tip growing, rewrites a row in place: no delete for it.
        let rewritten = Set(added.map(\.startMs))
        removed = runs.filter { !kept.contains($0) && !rewritten.contains($0.startMs) }
    }
}
