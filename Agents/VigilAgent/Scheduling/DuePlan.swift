import Synchronization
import VigilCore

/// What the scheduler knows about every check: its entry, when it is next due and whether a probe of it
/// is running. Shared by the timer loop, the reload task and the probes (they report back), behind a lock.
///
/// Idle checks cost only their slot here (a few hundred bytes): no task waits per check. Probes run as
/// short child tasks, so memory follows the probes in flight rather than the number of checks.
final class DuePlan: Sendable {
    /// One check as scheduled.
    struct Slot {
        var entry: Scheduler.Entry
        /// Bumped when the check is added or changed; stale timers and results are recognised by it.
        var generation: Int
        var interval: Duration
        var running = false
    }

    /// A start that is due at `instant`.
    struct Start {
        var instant: ContinuousClock.Instant
        var name: String
        var generation: Int
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var timers = MinHeap<Start>(by: { $0.instant < $1.instant })
        var nextGeneration = 0
    }

    private let state = Mutex(State())

    /// Makes `entries` the set of checks: removed ones go, new and changed ones start after a jitter in
    /// `[0, min(interval, maxJitterMs))`, unchanged ones keep their timers. Returns how many changed.
    @discardableResult
    func apply(_ entries: [Scheduler.Entry], now: ContinuousClock.Instant, maxJitterMs: Int64) -> Int {
        state.withLock { state in
            let wanted = Dictionary(entries.map { ($0.check.name, $0) }, uniquingKeysWith: { first, _ in first })
            var changed = 0
            for name in state.slots.keys where wanted[name] == nil {
                state.slots[name] = nil
                changed += 1
            }
            for (name, entry) in wanted where state.slots[name]?.entry.check != entry.check {
                state.nextGeneration += 1
                let intervalMs = Int64(entry.definition.intervalMs)
                let jitterCeiling = min(intervalMs, maxJitterMs)
                let jitter = jitterCeiling > 0 ? Int64.random(in: 0..<jitterCeiling) : 0
                state.slots[name] = Slot(entry: entry, generation: state.nextGeneration, interval: .milliseconds(intervalMs))
                state.timers.insert(Start(instant: now + .milliseconds(jitter), name: name, generation: state.nextGeneration))
                changed += 1
            }
            return changed
        }
    }

    /// The starts due by `now`, marked running, each with its next start booked on the grid
    /// `first + k × interval`. A check still running when its start comes skips that start; stale
    /// timers (of removed or changed checks) are dropped. Also returns when the next start is due.
    func takeDue(now: ContinuousClock.Instant) -> (due: [(entry: Scheduler.Entry, generation: Int)], next: ContinuousClock.Instant?) {
        state.withLock { state in
            var due: [(entry: Scheduler.Entry, generation: Int)] = []
            while let first = state.timers.first, first.instant <= now {
                let start = state.timers.removeFirst()
                guard var slot = state.slots[start.name], slot.generation == start.generation else { continue }
                if !slot.running {
                    slot.running = true
                    due.append((slot.entry, slot.generation))
                }
                state.slots[start.name] = slot
                let next = Scheduler.nextStart(after: start.instant, interval: slot.interval, now: now)
                state.timers.insert(Start(instant: next, name: start.name, generation: start.generation))
            }
            return (due, state.timers.first?.instant)
        }
    }

    /// A probe of `name` ended.
    func finished(_ name: String, generation: Int) {
        state.withLock { state in
            if state.slots[name]?.generation == generation { state.slots[name]?.running = false }
        }
    }

    /// The generation of the check called `name`, `nil` when there is none.
    func generation(of name: String) -> Int? {
        state.withLock { $0.slots[name]?.generation }
    }
}

/// A binary min-heap ordered by `areInIncreasingOrder`.
struct MinHeap<Element> {
    private var elements: [Element] = []
    private let areInIncreasingOrder: (Element, Element) -> Bool

    init(by areInIncreasingOrder: @escaping (Element, Element) -> Bool) {
        self.areInIncreasingOrder = areInIncreasingOrder
    }

    var first: Element? { elements.first }
    var count: Int { elements.count }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard areInIncreasingOrder(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element; the heap must not be empty.
    mutating func removeFirst() -> Element {
        elements.swapAt(0, elements.count - 1)
        let smallest = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallestChild = parent
            if left < elements.count && areInIncreasingOrder(elements[left], elements[smallestChild]) { smallestChild = left }
            if right < elements.count && areInIncreasingOrder(elements[right], elements[smallestChild]) { smallestChild = right }
            if smallestChild == parent { break }
            elements.swapAt(parent, smallestChild)
            parent = smallestChild
        }
        return smallest
    }
}
