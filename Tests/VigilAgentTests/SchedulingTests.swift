import Testing
import VigilCore
@testable import VigilAgent

@Suite("Scheduling and backoff")
struct SchedulingTests {
    @Test("starts stay on the interval grid; overruns skip missed starts")
    func grid() {
        let origin = ContinuousClock.now
        let interval = Duration.seconds(10)
        #expect(Scheduler.nextStart(after: origin, interval: interval, now: origin + .seconds(3)) == origin + .seconds(10))
        // The probe overran by 25 s: the next start is the next grid point, not a burst of catch-ups.
        #expect(Scheduler.nextStart(after: origin, interval: interval, now: origin + .seconds(35)) == origin + .seconds(40))
    }

    @Test("backoff ceilings double from 1 s to the 30 s cap, with full jitter below them")
    func backoff() {
        var backoff = Backoff()
        var generator = SystemRandomNumberGenerator()
        var ceilings: [Int64] = []
        for _ in 0..<8 {
            let ceiling = backoff.ceilingMs
            ceilings.append(ceiling)
            let delay = backoff.nextDelayMs(using: &generator)
            #expect((0...ceiling).contains(delay))
        }
        #expect(ceilings == [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
        backoff.reset()
        #expect(backoff.ceilingMs == 1_000)
    }

    @Test("collector answers map to shipping decisions")
    func shipResults() {
        guard case .acked(let ack) = ShipResult.from(status: 200, body: Array(#"{"acked_through":4}"#.utf8), retryAfter: nil) else {
            Issue.record("not acked"); return
        }
        #expect(ack.ackedThrough == 4)
        guard case .retry(_, let after) = ShipResult.from(status: 503, body: [], retryAfter: "7") else { Issue.record("not retry"); return }
        #expect(after == 7_000)
        guard case .unauthorized = ShipResult.from(status: 401, body: [], retryAfter: nil) else { Issue.record("not unauthorized"); return }
        guard case .tooLarge = ShipResult.from(status: 413, body: [], retryAfter: nil) else { Issue.record("not too large"); return }
        guard case .rejected = ShipResult.from(status: 400, body: [], retryAfter: nil) else { Issue.record("not rejected"); return }
    }

    @Test("no more probes run at once than the limit; all of them get their turn")
    func limiter() async {
        let limiter = ProbeLimiter(limit: 2)
        let peak = PeakCounter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    guard await limiter.acquire() else { return }
                    await peak.enter()
                    try? await Task.sleep(for: .milliseconds(50))
                    await peak.leave()
                    limiter.release()
                }
            }
        }
        #expect(await peak.peak == 2)
        #expect(await peak.total == 6)
        #expect(limiter.inUse == 0)
    }

    @Test("a waiter that is cancelled gives up without taking a slot")
    func limiterCancellation() async {
        let limiter = ProbeLimiter(limit: 1)
        #expect(await limiter.acquire())
        let waiter = Task { await limiter.acquire() }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == false)
        limiter.release()
        #expect(limiter.inUse == 0)
    }
}

actor PeakCounter {
    var current = 0
    var peak = 0
    var total = 0

    func enter() {
        current += 1
        total += 1
        peak = max(peak, current)
    }

    func leave() { current -= 1 }
}
