import Testing
import VigilConfig
import VigilTestSupport
@testable import VigilCore

@Suite("Ticket clocks on business time")
struct TicketClockTests {
    let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]

    func calendar(_ zone: String, from: Int, to: Int, holidays: Set<CivilDate> = []) throws -> BusinessCalendar {
        let rules = try #require(SystemZone.named(zone))
        return BusinessCalendar(
            name: "business",
            schedule: WeeklySchedule(zone: rules, hours: [WeeklyHours(days: weekdays, fromMinute: from * 60, toMinute: to * 60)], exceptions: holidays)
        )
    }

    func clock(_ metric: TicketMetric, _ ticket: Ticket, hours: Int64, on calendar: BusinessCalendar = .alwaysOpen, now: Int64) -> TicketClock? {
        TicketClock.clock(metric, ticket: ticket, target: TicketTarget(durationMs: hours * hour, calendar: calendar), settings: TicketSettings(), nowMs: now)
    }

    @Test("opened Friday 16:30 in Jakarta, Mon–Fri 08:00–17:00: 24 business hours are due Wednesday 13:30")
    func jakartaFriday() throws {
        // Asia/Jakarta is UTC+7 all year. Fri 20 Nov 2026 16:30 WIB = 09:30Z.
        // Friday 16:30–17:00 = 0.5 h; Monday 9 h (9.5); Tuesday 9 h (18.5); Wednesday 08:00 + 5.5 h = 13:30 WIB
        // = 06:30Z on 25 Nov.
        let business = try calendar("Asia/Jakarta", from: 8, to: 17)
        let ticket = Ticket(externalID: "J-1", createdMs: utc(2026, 11, 20, 9, 30))
        let first = try #require(clock(.firstResponse, ticket, hours: 24, on: business, now: utc(2026, 11, 23, 2)))
        #expect(first.dueMs == utc(2026, 11, 25, 6, 30))
        // Monday 09:00 WIB (02:00Z): 0.5 h + 1 h elapsed.
        #expect(first.elapsedMs == 90 * minute)
        #expect(first.state == .running && !first.atRisk)
    }

    @Test("a public holiday moves the due instant by a business day")
    func holiday() throws {
        // As above with Monday 23 Nov a holiday: Tuesday 9 h (9.5), Wednesday 9 h (18.5), Thursday 13:30 WIB.
        let business = try calendar("Asia/Jakarta", from: 8, to: 17, holidays: [CivilDate(year: 2026, month: 11, day: 23)])
        let ticket = Ticket(externalID: "J-2", createdMs: utc(2026, 11, 20, 9, 30))
        #expect(clock(.firstResponse, ticket, hours: 24, on: business, now: utc(2026, 11, 20, 10))?.dueMs == utc(2026, 11, 26, 6, 30))
    }

    @Test("two days in pending push the resolution due instant by two days")
    func pendingPause() throws {
        // 24/7, 48 h. Created Mon 2 Nov 10:00Z; pending Tue 10:00Z → Thu 10:00Z; open again.
        // Counted: Mon 10:00 → Tue 10:00 (24 h), then from Thu 10:00: due Fri 6 Nov 10:00Z.
        let ticket = Ticket(externalID: "P-1", createdMs: utc(2026, 11, 2, 10), events: [
            TicketEvent(atMs: utc(2026, 11, 2, 10, 5), kind: .status(.open)),
            TicketEvent(atMs: utc(2026, 11, 3, 10), kind: .status(.pending)),
            TicketEvent(atMs: utc(2026, 11, 5, 10), kind: .status(.open)),
        ])
        // While pending: paused, 24 h elapsed, no due instant.
        let duringPause = try #require(clock(.resolution, ticket, hours: 48, now: utc(2026, 11, 4, 12)))
        #expect(duringPause.state == .paused && duringPause.elapsedMs == 24 * hour && duringPause.dueMs == nil)
        let after = try #require(clock(.resolution, ticket, hours: 48, now: utc(2026, 11, 5, 22)))
        #expect(after.state == .running && after.elapsedMs == 36 * hour)
        #expect(after.dueMs == utc(2026, 11, 6, 10))
        #expect(after.pauses == [TimeRange(startMs: utc(2026, 11, 3, 10), endMs: utc(2026, 11, 5, 10))])
        // 12 h of 48 left is exactly 25 %: not yet at risk; one minute later it is.
        #expect(!after.atRisk)
        #expect(clock(.resolution, ticket, hours: 48, now: utc(2026, 11, 5, 22, 1))?.atRisk == true)
    }

    @Test("a business day across the end of DST in Europe/Berlin")
    func berlinDST() throws {
        // Mon–Fri 09:00–17:00 Berlin; 25 Oct 2026 clocks go back (CEST +2 → CET +1).
        // Opened Fri 23 Oct 15:00 CEST = 13:00Z; 16 business hours: Friday 2 h, Monday 26 Oct 8 h (10),
        // Tuesday 09:00 + 6 h = 15:00 CET = 14:00Z (13:00Z if the offset were not updated).
        let business = try calendar("Europe/Berlin", from: 9, to: 17)
        let ticket = Ticket(externalID: "B-1", createdMs: utc(2026, 10, 23, 13))
        #expect(clock(.firstResponse, ticket, hours: 16, on: business, now: utc(2026, 10, 23, 14))?.dueMs == utc(2026, 10, 27, 14))
    }

    @Test("a complex ticket solved at 71 h 59 m is met, at 72 h 01 m breached")
    func resolutionBoundary() throws {
        let settings = TicketSettings.seedsExample()
        let created = utc(2026, 11, 2, 8)
        func solved(after ms: Int64) -> Ticket {
            Ticket(externalID: "C", category: "technical", createdMs: created, events: [
                TicketEvent(atMs: created + hour, kind: .agentReply),
                TicketEvent(atMs: created + ms, kind: .status(.solved)),
            ])
        }
        let early = solved(after: 71 * hour + 59 * minute)
        let policy = try #require(settings.policy(for: early))
        #expect(policy.name == "complex-technical")
        let met = TicketClock.clocks(for: early, policy: policy, settings: settings, nowMs: created + 100 * hour)
        #expect(met.map(\.metric) == [.firstResponse, .resolution])
        #expect(met[0].state == .met && met[0].elapsedMs == hour)
        #expect(met[1].state == .met && met[1].remainingMs == minute && met[1].dueMs == created + 72 * hour)
        let late = TicketClock.clocks(for: solved(after: 72 * hour + minute), policy: policy, settings: settings, nowMs: created + 100 * hour)
        #expect(late[1].state == .breached && late[1].remainingMs == -minute)
        // A simple request gets 48 h.
        #expect(settings.policy(for: Ticket(externalID: "S", category: "billing", createdMs: 0))?.name == "simple-request")
    }

    @Test("time solved before a reopen does not count; next reply runs from the requester's message")
    func reopenAndNextReply() throws {
        let created = utc(2026, 11, 2)
        let ticket = Ticket(externalID: "R", createdMs: created, events: [
            TicketEvent(atMs: created + 2 * hour, kind: .agentReply),
            TicketEvent(atMs: created + 10 * hour, kind: .status(.solved)),
            TicketEvent(atMs: created + 30 * hour, kind: .requesterReply),
            TicketEvent(atMs: created + 30 * hour, kind: .status(.open)),
        ])
        let resolution = try #require(clock(.resolution, ticket, hours: 48, now: created + 40 * hour))
        // 10 h before the solve + 10 h since the reopen.
        #expect(resolution.state == .running && resolution.elapsedMs == 20 * hour)
        let next = try #require(clock(.nextReply, ticket, hours: 8, now: created + 40 * hour))
        #expect(next.startedMs == created + 30 * hour && next.state == .breached && next.elapsedMs == 10 * hour)
        #expect(clock(.nextReply, Ticket(externalID: "N", createdMs: created), hours: 8, now: created + hour) == nil)
    }

    @Test("a running clock reads the same until its next change instant and differs from it on", arguments: 0..<60)
    func nextChangeIsExact(seed: UInt64) throws {
        var generator = SeededGenerator(seed: 70_000 + seed)
        let calendars = [BusinessCalendar.alwaysOpen, try calendar("Asia/Jakarta", from: 8, to: 17), try calendar("Europe/Berlin", from: 9, to: 18)]
        let business = calendars.randomElement(using: &generator)!
        let created = utc(2026, 3, 20) + Int64.random(in: 0..<14 * 86_400_000, using: &generator)
        // A few status changes and replies, all before "now".
        var events: [TicketEvent] = []
        var at = created
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            at += Int64.random(in: 1...20 * 3_600_000, using: &generator)
            let kind: TicketEvent.Kind = [
                .status(.open), .status(.pending), .status(.onHold), .agentReply, .requesterReply, .status(.open),
            ].randomElement(using: &generator)!
            events.append(TicketEvent(atMs: at, kind: kind))
        }
        let ticket = Ticket(externalID: "R-\(seed)", createdMs: created, events: events)
        let now = at + Int64.random(in: 0...48 * 3_600_000, using: &generator)
        var settings = TicketSettings()
        settings.atRiskBelow = Percentage(ppm: [0, 100_000, 250_000, 333_333, 1_000_000].randomElement(using: &generator)!)
        let target = TicketTarget(durationMs: Int64.random(in: 1...40, using: &generator) * hour + Int64.random(in: 0..<hour, using: &generator), calendar: business)
        for metric in TicketMetric.allCases {
            guard let clock = TicketClock.clock(metric, ticket: ticket, target: target, settings: settings, nowMs: now) else { continue }
            guard clock.state == .running else {
                #expect(clock.nextChangeMs == nil, "seed \(seed) \(metric)")
                continue
            }
            let next = try #require(clock.nextChangeMs, "seed \(seed) \(metric)")
            #expect(next > now, "seed \(seed) \(metric)")
            func reading(_ instant: Int64) -> (TicketClock.State, Bool)? {
                TicketClock.clock(metric, ticket: ticket, target: target, settings: settings, nowMs: instant).map { ($0.state, $0.atRisk) }
            }
            // The naive oracle: the clock read again just before the instant, at points between, and at it.
            let samples = [next - 1] + (0..<8).map { _ in Int64.random(in: now..<next, using: &generator) }
            for instant in samples {
                #expect(reading(instant).map { $0 == (clock.state, clock.atRisk) } == true, "seed \(seed) \(metric) at \(instant - now)")
            }
            #expect(reading(next).map { $0 != (clock.state, clock.atRisk) } == true, "seed \(seed) \(metric)")
        }
    }
}
