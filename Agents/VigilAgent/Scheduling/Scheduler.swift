#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization
import VigilCore

/// Runs every check on its own interval against the monotonic clock, so there is no drift: probe k of
/// a check starts at `start + jitter + k × interval`. Start times are spread by a random jitter. Each
/// check runs in its own child task, so a slow or hanging target delays nothing else; when a probe
/// overruns its interval the missed starts are skipped, not queued.
///
/// The set of checks can change while it runs (a config reload): removed and changed checks stop,
/// new and changed ones start, unchanged ones carry on undisturbed.
struct Scheduler: Sendable {
    /// A check ready to run.
    struct Entry: Sendable {
        /// The check as configured; a reload that leaves it equal leaves its runner alone.
        var check: CheckConfiguration
        var definition: CheckDefinition
        var probe: any Probe
    }

    let spool: Spool
    let logger: Logger
    let limiter: ProbeLimiter
    var metrics: AgentMetrics?
    /// The largest start jitter, ms; the jitter of a check is random in `[0, min(interval, this))`.
    var maxJitterMs: Int64 = 10_000

    /// Which runner generation owns each check name; a runner whose generation is gone stops.
    let generations = Generations()

    /// Runs `initial`, then each set of entries `updates` delivers, until cancelled.
    func run(_ initial: [Entry], updates: AsyncStream<[Entry]>) async {
        await withDiscardingTaskGroup { group in
            var running: [String: CheckConfiguration] = [:]
            var generation = 0
            func apply(_ entries: [Entry]) {
                let wanted = Dictionary(entries.map { ($0.check.name, $0) }, uniquingKeysWith: { first, _ in first })
                for name in running.keys where wanted[name] == nil {
                    running[name] = nil
                    generations.set(name, nil)
                }
                for (name, entry) in wanted where running[name] != entry.check {
                    generation += 1
                    let mine = generation
                    running[name] = entry.check
                    generations.set(name, mine)
                    group.addTask { await runCheck(entry, generation: mine) }
                }
            }
            apply(initial)
            for await entries in updates {
                apply(entries)
                logger.notice("checks reloaded", metadata: ["checks": "\(entries.count)"])
            }
        }
    }

    private func isCurrent(_ name: String, _ generation: Int) -> Bool {
        generations.get(name) == generation
    }

    private func runCheck(_ entry: Entry, generation: Int) async {
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
            guard isCurrent(entry.check.name, generation) else { return }
            let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            guard await limiter.acquire() else { return }
            // The probe runs in a child task: a task keeps the memory of its deepest async stack until it
            // ends, so a long-lived runner that probed directly would hold an HTTP client's stack for good
            // (about 20 KB per check).
            let probe = entry.probe
            let result = await withTaskGroup(of: ProbeResult.self) { group in
                group.addTask { await probe.run() }
                return await group.next()!
            }
            limiter.release()
            // A probe cut short by shutdown says nothing about the target: do not record it; nor does one
            // whose check was reloaded away meanwhile.
            if Task.isCancelled || !isCurrent(entry.check.name, generation) { return }
            metrics?.probe(check: entry.check.name, kind: entry.check.kind.name, result: result)
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

/// Check name → the generation of the runner that owns it.
final class Generations: Sendable {
    private let map = Mutex<[String: Int]>([:])

    func get(_ name: String) -> Int? { map.withLock { $0[name] } }
    func set(_ name: String, _ generation: Int?) { map.withLock { $0[name] = generation } }
}
