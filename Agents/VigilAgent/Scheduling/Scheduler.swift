import Foundation
import Logging
import VigilCore

/// Runs every check on its own interval against the monotonic clock, so there is no drift: probe k of
/// a check starts at `start + jitter + k × interval`. Start times are spread by a random jitter. Each
/// check runs in its own child task, so a slow or hanging target delays nothing else; when a probe
/// overruns its interval the missed starts are skipped, not queued.
struct Scheduler: Sendable {
    /// A check ready to run.
    struct Entry: Sendable {
        var definition: CheckDefinition
        var probe: any Probe
    }

    let entries: [Entry]
    let spool: Spool
    let logger: Logger
    let limiter: ProbeLimiter
    /// The largest start jitter, ms; the jitter of a check is random in `[0, min(interval, this))`.
    var maxJitterMs: Int64 = 10_000

    /// Runs until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for entry in entries {
                group.addTask { await runCheck(entry) }
            }
        }
    }

    private func runCheck(_ entry: Entry) async {
        let clock = ContinuousClock()
        let interval = Duration.milliseconds(Int64(entry.definition.intervalMs))
        let jitterCeiling = min(Int64(entry.definition.intervalMs), maxJitterMs)
        let jitter = jitterCeiling > 0 ? Int64.random(in: 0..<jitterCeiling) : 0
        var next = clock.now + .milliseconds(jitter)
        while !Task.isCancelled {
            do {
                try await Task.sleep(until: next, clock: clock)
            } catch {
                return
            }
            let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            guard await limiter.acquire() else { return }
            let result = await entry.probe.run()
            limiter.release()
            // A probe cut short by shutdown says nothing about the target: do not record it.
            if Task.isCancelled { return }
            let record = SpoolRecord(
                checkName: entry.definition.name, timestampMs: timestamp, status: result.status,
                latencyUs: result.latencyUs, code: result.code, message: result.message
            )
            do {
                try await spool.append(record)
            } catch {
                logger.error("cannot spool a heartbeat; it is lost", metadata: ["check": "\(entry.definition.name)", "error": "\(error)"])
                await spool.recordLoss(1)
            }
            next = Self.nextStart(after: next, interval: interval, now: clock.now)
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
