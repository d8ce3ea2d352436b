import Testing
@testable import VigilCore

/// The alert evaluator's schedule (issue 20): which services a pass evaluates, as a pure transition.
@Suite("Rule schedule")
struct RuleScheduleTests {
    /// 2026-11-20T12:00Z, inside November.
    let now = utc(2026, 11, 20, 12)

    /// One service's 24 h figures: up two days at 30 s probes, then `down` for the last `downFor` ms.
    func figures(_ service: String, policy: ServicePolicy, downFor: Int64 = 0, window: TimeRange? = nil) -> RuleSchedule.Evaluated {
        var probes = Probes()
        probes.add(.up, from: now - 2 * day, to: now - downFor, every: 30_000)
        probes.add(.down, from: now - downFor, to: now, every: 30_000, message: "HTTP 503")
        let evaluator = SLAEvaluator(
            service: service, policy: policy, window: window ?? TimeRange(startMs: now - day, endMs: now), nowMs: now, maintenance: []
        )
        var result = evaluator.evaluate(locations: [LocationHistory(name: "a/\(service)", intervalMs: 30_000, runs: probes.runs(staleAfterMs: 90_000))], probes: nil)
        result.service = service
        return RuleSchedule.Evaluated(result: result, policy: policy)
    }

    @Test("quiet figures wait for the feed; hot ones, changed ones and recently changed ones are evaluated every pass")
    func passes() {
        var schedule = RuleSchedule(settleMs: 60_000)
        let target = policy(target: "99.9")
        #expect(schedule.startPass(.burnRate, nowMs: now) == .all)
        schedule.finishPass(.burnRate, due: .all, results: [
            figures("calm", policy: target), figures("burning", policy: target, downFor: hour),
        ], nowMs: now)
        #expect(schedule.counts(.burnRate) == (hot: 1, quiet: 1))
        // Nothing changed: only the burning service.
        #expect(schedule.startPass(.burnRate, nowMs: now + 5_000) == .only(["burning"]))
        schedule.finishPass(.burnRate, due: .only(["burning"]), results: [figures("burning", policy: target, downFor: hour)], nowMs: now + 5_000)
        // The feed reports the calm one: it is due now, and for the settle time after, then quiet again.
        schedule.changed(["calm"], nowMs: now + 6_000)
        #expect(schedule.startPass(.burnRate, nowMs: now + 10_000) == .only(["burning", "calm"]))
        schedule.finishPass(.burnRate, due: .only(["burning", "calm"]), results: [
            figures("burning", policy: target, downFor: hour), figures("calm", policy: target),
        ], nowMs: now + 10_000)
        #expect(schedule.startPass(.burnRate, nowMs: now + 65_000) == .only(["burning", "calm"]))
        schedule.finishPass(.burnRate, due: .only(["burning", "calm"]), results: [
            figures("burning", policy: target), figures("calm", policy: target),
        ], nowMs: now + 65_000)
        // Both quiet now (the burning one's figures no longer hold down time); the calm one has settled.
        #expect(schedule.startPass(.burnRate, nowMs: now + 70_000) == .only([]))
        #expect(schedule.counts(.burnRate) == (hot: 0, quiet: 2))
        // Each rule keeps its own pending set: the period rule has not had its first pass.
        #expect(schedule.startPass(.period, nowMs: now + 70_000) == .all)
    }

    @Test("a failed pass leaves what it was to evaluate due")
    func abandoned() {
        var schedule = RuleSchedule(settleMs: 1)
        _ = schedule.startPass(.period, nowMs: now)
        schedule.finishPass(.period, due: .all, results: [], nowMs: now)
        schedule.changed(["a", "b"], nowMs: now)
        #expect(schedule.startPass(.period, nowMs: now + 10) == .only(["a", "b"]))
        schedule.abandonPass(.period)
        #expect(schedule.startPass(.period, nowMs: now + 20) == .only(["a", "b"]))
        schedule.finishPass(.period, due: .only(["a", "b"]), results: [], nowMs: now + 20)
        #expect(schedule.startPass(.period, nowMs: now + 30) == .only([]))
    }

    @Test("a quiet month is due again when it ends; a rolling window never for time alone")
    func periodEnds() {
        var schedule = RuleSchedule()
        var monthly = policy(target: "99.9")
        monthly.period = .month
        var rolling = policy(target: "99.9")
        rolling.period = .rolling(ms: 7 * day)
        let month = TimeRange(startMs: utc(2026, 11, 1), endMs: utc(2026, 12, 1))
        _ = schedule.startPass(.period, nowMs: now)
        schedule.finishPass(.period, due: .all, results: [
            figures("monthly", policy: monthly, window: month), figures("rolling", policy: rolling, window: TimeRange(startMs: now - 7 * day, endMs: now)),
        ], nowMs: now)
        #expect(RuleSchedule.quietUntil(.period, figures("monthly", policy: monthly, window: month)) == utc(2026, 12, 1))
        #expect(schedule.startPass(.period, nowMs: utc(2026, 12, 1) - 1) == .only([]))
        #expect(schedule.startPass(.period, nowMs: utc(2026, 12, 1)) == .only(["monthly"]))
    }

    @Test("adding, editing or removing a maintenance window makes the services it covers due")
    func maintenance() {
        var schedule = RuleSchedule(settleMs: 1)
        let window = MaintenanceWindow(id: "1", service: "*", schedule: .once(TimeRange(startMs: now - hour, endMs: now)), reason: "upgrade")
        schedule.maintenance([window])
        _ = schedule.startPass(.burnRate, nowMs: now)
        schedule.finishPass(.burnRate, due: .all, results: [figures("calm", policy: policy(target: "99.9"))], nowMs: now)
        schedule.maintenance([window])
        #expect(schedule.startPass(.burnRate, nowMs: now + 1) == .only([]))
        // Every service's window edited: all due.
        var longer = window
        longer.schedule = .once(TimeRange(startMs: now - 2 * hour, endMs: now))
        schedule.maintenance([longer])
        #expect(schedule.startPass(.burnRate, nowMs: now + 2) == .all)
        schedule.finishPass(.burnRate, due: .all, results: [], nowMs: now + 2)
        // One service's window added, then removed: that service due each time.
        let api = MaintenanceWindow(id: "2", service: "api", schedule: .once(TimeRange(startMs: now - hour, endMs: now)), reason: "deploy")
        schedule.maintenance([longer, api])
        #expect(schedule.startPass(.burnRate, nowMs: now + 3) == .only(["api"]))
        schedule.finishPass(.burnRate, due: .only(["api"]), results: [], nowMs: now + 3)
        schedule.maintenance([longer])
        #expect(schedule.startPass(.burnRate, nowMs: now + 4) == .only(["api"]))
        schedule.finishPass(.burnRate, due: .only(["api"]), results: [], nowMs: now + 4)
        schedule.maintenance([])
        #expect(schedule.startPass(.burnRate, nowMs: now + 5) == .all)
    }

    @Test("what counts as quiet")
    func quietness() {
        let target = policy(target: "99.9")
        // Up all along: nothing can fire without new data.
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: target)) == Int64.max)
        #expect(RuleSchedule.quietUntil(.period, figures("s", policy: target)) == now)
        // The last minute down (two failed probes, confirmed): hot.
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: target, downFor: 60_000)) == nil)
        #expect(RuleSchedule.quietUntil(.period, figures("s", policy: target, downFor: 60_000)) == nil)
        // Unknown time counted as down: time alone adds bad time once data stops.
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: policy(target: "99.9") { $0.unknownPolicy = .down })) == nil)
        // No target, or 100 %: no burn rate ever fires.
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: policy(), downFor: hour)) == Int64.max)
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: policy(target: "100"), downFor: hour)) == Int64.max)
        // A rule looking back further than the engine's three days cannot be judged from its rates.
        let longRule = policy(target: "99.9") { $0.burnRules = [BurnRateRule(severity: .ticket, longMs: 7 * day, shortMs: hour, factor: "1")] }
        #expect(RuleSchedule.quietUntil(.burnRate, figures("s", policy: longRule)) == nil)
    }
}
