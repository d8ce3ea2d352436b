#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import VigilCore

/// Runs every check on its own interval against the monotonic clock, so there is no drift: probe k of
/// a check starts at `start + jitter + k × interval`. Start times are spread by a random jitter. One
/// timer loop starts the probes that are due, each in its own short child task, so a slow or hanging
/// target delays nothing else; when a probe overruns its interval the missed starts are skipped, not
/// queued. Idle checks hold no task (issue 3: memory follows the probes in flight, not the checks).
///
/// The set of checks can change while it runs (a config reload): removed and changed checks stop,
/// new and changed ones start, unchanged ones carry on undisturbed. A reload is seen within
/// ``maxSleep``.
struct Scheduler: Sendable {
    /// A check ready to run.
    struct Entry: Sendable {
        /// The check as configured; a reload that leaves it equal leaves its schedule alone.
        var check: CheckConfiguration
        var definition: CheckDefinition
        var probe: any Probe
    }

    let spool: Spool
    let logger: Logger
    let limiter: ProbeLimiter
    var metrics: AgentMetrics?
    /// The clock heartbeats are stamped with: monotonic, re-anchored visibly when the wall clock steps.
    var clock = StampClock()
    /// The largest start jitter, ms; the jitter of a check is random in `[0, min(interval, this))`.
    var maxJitterMs: Int64 = 10_000
    /// The longest the timer loop sleeps, so that a reload is picked up soon: 200 ms.
    var maxSleep: Duration = .milliseconds(200)

    /// Every check's slot, timers and generation.
    let plan = DuePlan()

    /// Runs `initial`, then each set of entries `updates` delivers, until cancelled.
    func run(_ initial: [Entry], updates: AsyncStream<[Entry]>) async {
        let clock = ContinuousClock()
        plan.apply(initial, now: clock.now, maxJitterMs: maxJitterMs)
        await withDiscardingTaskGroup { group in
            group.addTask { [plan, maxJitterMs, logger] in
                for await entries in updates {
                    plan.apply(entries, now: clock.now, maxJitterMs: maxJitterMs)
                    logger.notice("checks reloaded", metadata: ["checks": "\(entries.count)"])
                }
            }
            while !Task.isCancelled {
                let now = clock.now
                let (due, next) = plan.takeDue(now: now)
                for (entry, generation) in due {
                    group.addTask { await probe(entry, generation: generation) }
                }
                let wake = min(next ?? now + maxSleep, now + maxSleep)
                do {
                    try await Task.sleep(until: wake, clock: clock)
                } catch {
                    break
                }
            }
            group.cancelAll()
        }
    }

    /// One probe of a check, recorded in the spool unless its check changed or went meanwhile.
    private func probe(_ entry: Entry, generation: Int) async {
        defer { plan.finished(entry.check.name, generation: generation) }
        let stamp = clock.read()
        guard await limiter.acquire() else { return }
        let result = await entry.probe.run()
        limiter.release()
        // A probe cut short by shutdown says nothing about the target: do not record it; nor does one
        // whose check was reloaded away meanwhile.
        if Task.isCancelled || plan.generation(of: entry.check.name) != generation { return }
        metrics?.probe(check: entry.check.name, kind: entry.check.kind.name, result: result)
        let record = SpoolRecord(
            checkName: entry.definition.name, timestampMs: stamp.stampMs, status: result.status,
            latencyUs: result.latencyUs, code: result.code, message: result.message, clockAdjustMs: stamp.adjustMs
        )
        do {
            try await spool.append(record)
        } catch {
            logger.error("cannot spool a heartbeat; it is lost", metadata: ["check": "\(entry.definition.name)", "error": "\(error)"])
            await spool.recordLoss(1)
        }
    }

    /// The next start on the grid `previous + k × interval` that is not in the past.
    static func nextStart(after previous: ContinuousClock.Instant, interval: Duration, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var next = previous + interval
        if next < now {
            let behind = now - next
            let skipped = Int(behind / interval) + 1
            next += interval * skipped
        }
        return next
    }
}
