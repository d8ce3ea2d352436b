import Testing
@testable import VigilAgent

@Suite("Due plan")
struct DuePlanTests {
    static func entry(_ name: String, intervalMs: Int64) -> Scheduler.Entry {
        let check = CheckConfiguration(name: name, service: name, kind: .tcp(host: "127.0.0.1", port: 1), intervalMs: intervalMs)
        return Scheduler.Entry(check: check, definition: check.definition(id: 0), probe: InstantProbe())
    }

    @Test("starts stay on the grid; a check still running skips its start instead of queueing it")
    func skipWhileRunning() {
        let plan = DuePlan()
        let t0 = ContinuousClock.now
        plan.apply([Self.entry("a", intervalMs: 10_000)], now: t0, maxJitterMs: 0)
        let first = plan.takeDue(now: t0)
        #expect(first.due.map(\.entry.check.name) == ["a"])
        #expect(first.next == t0 + .seconds(10))
        // Still running 10 s later: the start is skipped and the next one booked on the grid.
        let second = plan.takeDue(now: t0 + .seconds(10) + .milliseconds(3))
        #expect(second.due.isEmpty)
        #expect(second.next == t0 + .seconds(20))
        plan.finished("a", generation: first.due[0].generation)
        let third = plan.takeDue(now: t0 + .seconds(20))
        #expect(third.due.count == 1)
        #expect(third.next == t0 + .seconds(30))
    }

    @Test("a changed check starts anew; a removed one is never due again; an unchanged one keeps its timer")
    func reload() {
        let plan = DuePlan()
        let t0 = ContinuousClock.now
        plan.apply([Self.entry("a", intervalMs: 1_000), Self.entry("b", intervalMs: 1_000), Self.entry("c", intervalMs: 1_000)], now: t0, maxJitterMs: 0)
        let generationA = plan.generation(of: "a")
        #expect(plan.apply([Self.entry("a", intervalMs: 1_000), Self.entry("c", intervalMs: 2_000)], now: t0, maxJitterMs: 0) == 2)
        #expect(plan.generation(of: "a") == generationA)
        #expect(plan.generation(of: "b") == nil)
        let due = plan.takeDue(now: t0).due.map(\.entry.check.name).sorted()
        #expect(due == ["a", "c"], "the stale timer of c's first version and b's are dropped")
    }

    @Test("the heap hands elements back in order")
    func heap() {
        var heap = MinHeap<Int>(by: <)
        var values = (0..<500).map { _ in Int.random(in: -1_000...1_000) }
        for value in values { heap.insert(value) }
        var out: [Int] = []
        while heap.first != nil { out.append(heap.removeFirst()) }
        values.sort()
        #expect(out == values)
    }
}
