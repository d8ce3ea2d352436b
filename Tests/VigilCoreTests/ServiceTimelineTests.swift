import Testing
@testable import VigilCore

@Suite("Service state by quorum")
struct ServiceTimelineTests {
    @Test("quorum rules over known locations", arguments: [
        (Quorum.any, [CheckStatus.up, .down, .down], CheckStatus.up),
        (.any, [.down, .down, .unknown], .down),
        (.all, [.up, .down, .up], .down),
        (.all, [.up, .up, .unknown], .up),
        (.majority, [.up, .down, .down], .down),
        (.majority, [.up, .down], .up),
        (.majority, [.unknown, .down], .down),
        (.majority, [.unknown, .unknown], .unknown),
        (.majority, [.up, .degraded, .down], .degraded),
        (.atLeast(2), [.down, .up, .up], .up),
        (.atLeast(2), [.down, .down, .up], .down),
        (.atLeast(2), [.up, .unknown], .up),
    ])
    func quorum(rule: Quorum, states: [CheckStatus], expected: CheckStatus) {
        #expect(rule.combine(states) == expected)
    }

    @Test("two locations combine segment by segment")
    func combineTwoLocations() {
        let a = [
            StateInterval(status: .up, startMs: 0, endMs: 10, lastBeatMs: 0),
            StateInterval(status: .down, startMs: 10, endMs: 30, lastBeatMs: 20),
        ]
        let b = [
            StateInterval(status: .down, startMs: 5, endMs: 20, lastBeatMs: 15),
            StateInterval(status: .up, startMs: 20, endMs: 40, lastBeatMs: 30),
        ]
        let segments = ServiceTimeline.combine([a, b], over: TimeRange(startMs: 0, endMs: 50), quorum: .majority)
        // 0-5: a up, b unknown → up; 5-10: up+down → up (no majority); 10-20: down+down → down;
        // 20-30: down+up → up; 30-40: b up → up; 40-50: nothing known → unknown.
        #expect(segments == [
            .init(status: .up, range: TimeRange(startMs: 0, endMs: 10)),
            .init(status: .down, range: TimeRange(startMs: 10, endMs: 20)),
            .init(status: .up, range: TimeRange(startMs: 20, endMs: 40)),
            .init(status: .unknown, range: TimeRange(startMs: 40, endMs: 50)),
        ])
    }
}
