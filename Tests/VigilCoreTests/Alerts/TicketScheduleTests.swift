import Testing
@testable import VigilCore

@Suite("Ticket schedule")
struct TicketScheduleTests {
    @Test("the first pass reads every open ticket; later ones what changed since shortly before and what is due")
    func reads() {
        var schedule = TicketSchedule(settleMs: 1_000)
        #expect(schedule.plan(nowMs: 10_000) == .allOpen)
        schedule.finish(.allOpen, evaluated: [
            .init(externalID: "a", open: true, nextChangeMs: 50_000),
            .init(externalID: "b", open: true, nextChangeMs: nil),
            .init(externalID: "c", open: true, nextChangeMs: 20_000),
        ], nowMs: 10_000)
        #expect(schedule.scheduled == 2)
        #expect(schedule.plan(nowMs: 19_999) == .changes(updatedSinceMs: 9_000, due: []))
        #expect(schedule.plan(nowMs: 20_000) == .changes(updatedSinceMs: 9_000, due: ["c"]))
        #expect(schedule.plan(nowMs: 60_000) == .changes(updatedSinceMs: 9_000, due: ["a", "c"]))
    }

    @Test("a pass not finished is planned again; a finished one moves the read on and reschedules what it read")
    func finishOnlyWhenStored() {
        var schedule = TicketSchedule(settleMs: 1_000)
        schedule.finish(.allOpen, evaluated: [.init(externalID: "a", open: true, nextChangeMs: 20_000)], nowMs: 10_000)
        let read = schedule.plan(nowMs: 30_000)
        #expect(read == .changes(updatedSinceMs: 9_000, due: ["a"]))
        // The pass failed before its events were stored: nothing moved.
        #expect(schedule.plan(nowMs: 30_000) == read)
        // It succeeds: "a" waits for its breach, "d" (updated meanwhile) was solved and is forgotten.
        schedule.finish(read, evaluated: [
            .init(externalID: "a", open: true, nextChangeMs: 90_000), .init(externalID: "d", open: false, nextChangeMs: nil),
        ], nowMs: 30_000)
        #expect(schedule.plan(nowMs: 40_000) == .changes(updatedSinceMs: 29_000, due: []))
        #expect(schedule.plan(nowMs: 90_000) == .changes(updatedSinceMs: 29_000, due: ["a"]))
        // A due ticket the store no longer returned is forgotten.
        schedule.finish(schedule.plan(nowMs: 90_000), evaluated: [], nowMs: 90_000)
        #expect(schedule.scheduled == 0)
        // The read never moves back, even when a pass runs with an earlier clock.
        schedule.finish(schedule.plan(nowMs: 50_000), evaluated: [], nowMs: 50_000)
        #expect(schedule.plan(nowMs: 95_000) == .changes(updatedSinceMs: 89_000, due: []))
        schedule.reset()
        #expect(schedule.plan(nowMs: 95_000) == .allOpen)
    }
}
