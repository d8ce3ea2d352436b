/// One ticket × metric clock (DESIGN §6): started, paused, met or breached, in business time.
public struct TicketClock: Sendable, Hashable {
    /// Where the clock stands.
    public enum State: String, Sendable, Hashable, Codable {
        case running, paused, met, breached
    }

    public var metric: TicketMetric
    public var state: State
    /// When it started (creation, or the requester reply for next reply).
    public var startedMs: Int64
    /// When it stopped (the reply or the solve), if it did.
    public var stoppedMs: Int64?
    /// The target, in business ms.
    public var targetMs: Int64
    /// Business time counted so far (up to the stop, or now).
    public var elapsedMs: Int64
    /// target − elapsed (negative when breached).
    public var remainingMs: Int64 { targetMs - elapsedMs }
    /// When the target runs out: fixed once stopped; for a running clock, assuming no further pause;
    /// `nil` while paused.
    public var dueMs: Int64?
    /// Running with less than the at-risk share of the target left.
    public var atRisk: Bool
    /// The next instant time alone changes ``state`` or ``atRisk`` (a running clock reaching the at-risk
    /// share, or going past its target), assuming no further pause; `nil` when only a change of the
    /// ticket can (paused, met, breached, or a calendar with no hours ahead). At this instant the clock
    /// already reads the new state.
    public var nextChangeMs: Int64? = nil
    /// The paused stretches counted out, inside the clock's span.
    public var pauses: [TimeRange]
    /// The calendar the time is counted on.
    public var calendar: String

    /// The clocks of a ticket under its policy, as of `nowMs`.
    public static func clocks(for ticket: Ticket, policy: TicketPolicy, settings: TicketSettings, nowMs: Int64) -> [TicketClock] {
        TicketMetric.allCases.compactMap { metric in
            guard let target = policy.targets[metric] else { return nil }
            return clock(metric, ticket: ticket, target: target, settings: settings, nowMs: nowMs)
        }
    }

    /// One metric's clock; `nil` when the metric has not started (no requester reply after the first
    /// response, for next reply).
    public static func clock(
        _ metric: TicketMetric, ticket: Ticket, target: TicketTarget, settings: TicketSettings, nowMs: Int64
    ) -> TicketClock? {
        var paused = settings.pauseStatuses
        let start: Int64
        var stop: Int64?
        switch metric {
        case .firstResponse:
            start = ticket.createdMs
            stop = ticket.firstReplyMs
        case .resolution:
            start = ticket.createdMs
            // Time spent solved before a reopen does not count; the clock stops at the last solve.
            paused.formUnion([.solved, .closed])
            if ticket.status.isDone {
                stop = ticket.events.last { event in
                    if case .status(let status) = event.kind { return status.isDone }
                    return false
                }?.atMs
            }
        case .nextReply:
            guard let first = ticket.firstReplyMs else { return nil }
            var cycle: (Int64, Int64?)?
            for event in ticket.events where event.atMs > first {
                switch event.kind {
                case .requesterReply where cycle == nil || cycle?.1 != nil: cycle = (event.atMs, nil)
                case .agentReply where cycle != nil && cycle?.1 == nil: cycle?.1 = event.atMs
                default: break
                }
            }
            guard let (from, to) = cycle else { return nil }
            start = from
            stop = to
        }
        let end = max(start, min(stop ?? nowMs, nowMs))
        let pauses = ticket.time(in: paused, from: start, to: stop ?? Int64.max)
        let business = BusinessTime(calendar: target.calendar)
        let elapsed = business.elapsed(from: start, to: end, excluding: pauses)
        let isPausedNow = stop == nil && paused.contains(ticket.status(at: nowMs))
        var due: Int64?
        if !isPausedNow {
            // Once stopped, the pauses are all known; while running, assume none after now.
            let known = stop == nil ? pauses.map { $0.clamped(to: TimeRange(startMs: start, endMs: end)) } : pauses
            due = business.instant(after: start, adding: target.durationMs, excluding: known)
        }
        let state: State
        if stop != nil {
            state = elapsed <= target.durationMs ? .met : .breached
        } else if elapsed > target.durationMs {
            state = .breached
        } else {
            state = isPausedNow ? .paused : .running
        }
        let atRisk = state == .running
            && (target.durationMs - elapsed).multipliedFullWidth(by: 1_000_000) < settings.atRiskBelow.ppm.multipliedFullWidth(by: target.durationMs)
        var next: Int64?
        if state == .running {
            // At risk from the least elapsed time e with (T − e) · 10⁶ < share · T; breached from T + 1.
            let total = Int128(target.durationMs)
            let riskFrom = Int64(total - (Int128(settings.atRiskBelow.ppm) * total + 999_999) / 1_000_000 + 1)
            let breachFrom = target.durationMs + 1
            let known = pauses.map { $0.clamped(to: TimeRange(startMs: start, endMs: end)) }
            next = business.instant(after: start, adding: atRisk ? breachFrom : min(riskFrom, breachFrom), excluding: known)
        }
        return TicketClock(
            metric: metric, state: state, startedMs: start, stoppedMs: stop, targetMs: target.durationMs, elapsedMs: elapsed,
            dueMs: due, atRisk: atRisk, nextChangeMs: next,
            pauses: pauses.map { $0.clamped(to: TimeRange(startMs: start, endMs: max(start, stop ?? nowMs))) }.filter { !$0.isEmpty },
            calendar: target.calendar.name
        )
    }
}
