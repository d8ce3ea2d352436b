import Testing
import VigilConfig
@testable import VigilCore

@Suite("SLA engine: calendars, time zones and maintenance")
struct CalendarTests {
    let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]

    func businessHours(_ zone: any ZoneRules, holidays: Set<CivilDate> = []) -> BusinessCalendar {
        BusinessCalendar(
            name: "business",
            schedule: WeeklySchedule(zone: zone, hours: [WeeklyHours(days: weekdays, fromMinute: 540, toMinute: 1_020)], exceptions: holidays)
        )
    }

    @Test("civil dates: weekdays and day counts")
    func civilDates() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2026, month: 11, day: 1).weekday == .sunday)
        #expect(CivilDate(year: 2026, month: 11, day: 2).weekday == .monday)
        #expect(CivilDate(daysSinceEpoch: CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate(year: 2026, month: 12, day: 5).firstOfMonth(adding: 1) == CivilDate(year: 2027, month: 1, day: 1))
    }

    @Test("an outage over a weekend counts only its business hours")
    func weekendOutage() {
        // Mon 2 – Mon 9 Nov 2026, Mon–Fri 09:00–17:00 UTC. Window [Mon 2 00:00, Tue 10 00:00):
        // business time = 6 days × 8 h = 48 h (Mon 2 – Fri 6, Mon 9).
        // Outage Fri 6 16:00 → Mon 9 10:00 (66 h of wall time): inside business hours only
        // Fri 16:00–17:00 and Mon 09:00–10:00 = 2 h. Availability = 46 / 48 = 95.833 %.
        let window = TimeRange(startMs: utc(2026, 11, 2), endMs: utc(2026, 11, 10))
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: utc(2026, 11, 6, 16), every: minute)
        probes.add(.down, from: utc(2026, 11, 6, 16), to: utc(2026, 11, 9, 10), every: minute, message: "connect refused")
        probes.add(.up, from: utc(2026, 11, 9, 10), to: window.endMs + minute, every: minute)
        let result = evaluate(
            policy(target: "99") { $0.calendar = businessHours(FixedOffsetZone.utc) },
            window: window, locations: [("a/api", probes)], intervalMs: minute
        )
        #expect(result.eligibleMs == 48 * hour)
        #expect(result.outsideCalendarMs == 8 * day - 48 * hour)
        #expect(result.downMs == 2 * hour)
        #expect(result.upMs == 46 * hour)
        #expect(abs(result.availability! - 46.0 / 48) < 1e-12)
        #expect(result.met == false)
        #expect(result.outages.count == 1)
        #expect(result.outages[0].range == TimeRange(startMs: utc(2026, 11, 6, 16), endMs: utc(2026, 11, 9, 10)))
        #expect(result.outages[0].eligibleDownMs == 2 * hour)
        #expect(result.longestOutageMs == 2 * hour)
        // MTBF = up time / outages = 46 h.
        #expect(result.mtbfMs == 46 * hour)
        #expect(result.exclusions.contains { $0.kind == "calendar" && $0.range == TimeRange(startMs: utc(2026, 11, 6, 17), endMs: utc(2026, 11, 9, 9)) })
    }

    @Test("business days across the DST changes in America/New_York")
    func daylightSaving() throws {
        let newYork = try #require(SystemZone(identifier: "America/New_York"))
        // 2026-03-08 (Sunday) clocks go 02:00 EST → 03:00 EDT. 09:00–17:00 is 14:00–22:00 UTC on Friday
        // the 6th (EST, −5) and 13:00–21:00 UTC on Monday the 9th (EDT, −4): 8 h each.
        let spring = businessHours(newYork).segments(in: TimeRange(startMs: utc(2026, 3, 6), endMs: utc(2026, 3, 10)))
        #expect(spring == [
            TimeRange(startMs: utc(2026, 3, 6, 14), endMs: utc(2026, 3, 6, 22)),
            TimeRange(startMs: utc(2026, 3, 9, 13), endMs: utc(2026, 3, 9, 21)),
        ])
        // A whole-day calendar: Sunday the 8th lasts 23 h, Sunday 1 Nov (fall back) 25 h.
        let allDay = WeeklySchedule(zone: newYork, hours: [.allDay])
        #expect(RangeSet.total(allDay.segments(in: TimeRange(startMs: utc(2026, 3, 8, 5), endMs: utc(2026, 3, 9, 4)))) == 23 * hour)
        #expect(newYork.utcMs(startOf: CivilDate(year: 2026, month: 11, day: 2)) - newYork.utcMs(startOf: CivilDate(year: 2026, month: 11, day: 1)) == 25 * hour)
        // A skipped local time moves forward: 02:30 on 8 March is 03:30 EDT = 07:30 UTC.
        #expect(newYork.utcMs(localSeconds: CivilDate(year: 2026, month: 3, day: 8).daysSinceEpoch * 86_400 + 9_000) == utc(2026, 3, 8, 7, 30))
        // A repeated one takes the first reading: 01:30 on 1 November is 01:30 EDT = 05:30 UTC.
        #expect(newYork.utcMs(localSeconds: CivilDate(year: 2026, month: 11, day: 1).daysSinceEpoch * 86_400 + 5_400) == utc(2026, 11, 1, 5, 30))
        // March 2026 in New York: [1 Mar 05:00Z, 1 Apr 04:00Z) = 31 days − 1 h = 743 h.
        let march = SLAWindow.month(year: 2026, month: 3).resolve(zone: newYork, nowMs: 0)
        #expect(march == TimeRange(startMs: utc(2026, 3, 1, 5), endMs: utc(2026, 4, 1, 4)))
        #expect(march.durationMs == 743 * hour)
        // Q4 2026 and the year in UTC.
        #expect(SLAWindow.quarter(year: 2026, quarter: 4).resolve(zone: FixedOffsetZone.utc, nowMs: 0) == TimeRange(startMs: utc(2026, 10, 1), endMs: utc(2027, 1, 1)))
        #expect(SLAWindow.year(2026).resolve(zone: FixedOffsetZone.utc, nowMs: 0).durationMs == 365 * day)
    }

    @Test("holidays are not business time")
    func holidays() {
        let calendar = businessHours(FixedOffsetZone.utc, holidays: [CivilDate(year: 2026, month: 11, day: 26)])
        // Thu 26 Nov 2026 is a holiday: the week of 23–27 Nov has 4 business days = 32 h.
        let week = calendar.segments(in: TimeRange(startMs: utc(2026, 11, 23), endMs: utc(2026, 11, 30)))
        #expect(RangeSet.total(week) == 32 * hour)
    }

    @Test("maintenance overlapping an outage removes the overlap from eligible and down time")
    func maintenanceOverlap() {
        // One day, 24/7. Outage 10:00–12:00; maintenance 11:00–13:00.
        // Eligible = 24 h − 2 h = 22 h; down = 10:00–11:00 = 1 h; up = 21 h → 21/22 = 95.4545 %.
        let window = TimeRange(startMs: utc(2026, 11, 3), endMs: utc(2026, 11, 4))
        var probes = Probes()
        probes.add(.up, from: window.startMs, to: utc(2026, 11, 3, 10), every: minute)
        probes.add(.down, from: utc(2026, 11, 3, 10), to: utc(2026, 11, 3, 12), every: minute)
        probes.add(.up, from: utc(2026, 11, 3, 12), to: window.endMs + minute, every: minute)
        let maintenance = MaintenanceWindow(
            id: "7", service: "api", schedule: .once(TimeRange(startMs: utc(2026, 11, 3, 11), endMs: utc(2026, 11, 3, 13))),
            reason: "database upgrade"
        )
        let result = evaluate(policy(target: "99.9"), window: window, maintenance: [maintenance], locations: [("a/api", probes)], intervalMs: minute)
        #expect(result.eligibleMs == 22 * hour)
        #expect(result.maintenanceMs == 2 * hour)
        #expect(result.downMs == hour)
        #expect(result.upMs == 21 * hour)
        #expect(abs(result.availability! - 21.0 / 22) < 1e-12)
        #expect(result.outages.count == 1 && result.outages[0].inMaintenance)
        #expect(result.outages[0].eligibleDownMs == hour)
        #expect(result.exclusions.map(\.detail) == ["7: database upgrade"])
    }

    @Test("weekly maintenance follows local time")
    func weeklyMaintenance() throws {
        let berlin = try #require(SystemZone(identifier: "Europe/Berlin"))
        // Sundays 02:00–04:00 Berlin: 1 Nov 2026 is CET (+1) → 01:00–03:00 UTC.
        let window = MaintenanceWindow(
            id: "config-1", service: "*",
            schedule: .weekly(WeeklySchedule(zone: berlin, hours: [WeeklyHours(days: [.sunday], fromMinute: 120, toMinute: 240)])),
            reason: "patching"
        )
        #expect(window.covers(service: "anything"))
        #expect(window.segments(in: TimeRange(startMs: utc(2026, 10, 31), endMs: utc(2026, 11, 2))) == [
            TimeRange(startMs: utc(2026, 11, 1, 1), endMs: utc(2026, 11, 1, 3)),
        ])
    }
}
