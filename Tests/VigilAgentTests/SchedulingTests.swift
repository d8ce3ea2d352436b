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
}
