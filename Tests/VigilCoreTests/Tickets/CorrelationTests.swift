import Testing
@testable import VigilCore

@Suite("Outage ↔ ticket correlation, surges, satisfaction")
struct CorrelationTests {
    let start = utc(2026, 11, 3, 10)

    func outage(_ service: String, _ from: Int64, _ to: Int64, ongoing: Bool = false) -> Outage {
        Outage(service: service, range: TimeRange(startMs: from, endMs: to), ongoing: ongoing, locations: [], firstMessage: "", detectedAtMs: nil, inMaintenance: false, eligibleDownMs: 0)
    }

    @Test("tickets link by service tag or alias within [start − 15 min, end + 2 h]")
    func linking() {
        let outages = [outage("api", start, start + hour), outage("web", start, start + hour)]
        let settings = TicketSettings()
        func linked(_ tags: [String], at ms: Int64) -> String? {
            TicketCorrelation.outage(for: Ticket(externalID: "t", tags: tags, createdMs: ms), among: outages, aliases: ["api": ["public-api"]], settings: settings, nowMs: start + day)?.service
        }
        #expect(linked(["api"], at: start - 15 * minute) == "api")
        #expect(linked(["api"], at: start - 16 * minute) == nil)
        #expect(linked(["public-api"], at: start + 3 * hour) == "api")
        #expect(linked(["api"], at: start + 3 * hour + 1) == nil)
        #expect(linked(["billing"], at: start + minute) == nil)
        // An ongoing outage extends to now.
        let ongoing = [outage("api", start, start + hour, ongoing: true)]
        let late = Ticket(externalID: "t", tags: ["api"], createdMs: start + 5 * hour)
        #expect(TicketCorrelation.outage(for: late, among: ongoing, aliases: [:], settings: settings, nowMs: start + 6 * hour) != nil)
    }

    @Test("a surge is factor × the baseline and at least the minimum")
    func surges() {
        let now = utc(2026, 11, 10)
        var tickets: [Ticket] = []
        // Baseline: 14 tickets for api over 7 days = 1/12 per hour. Recent hour: 6 api tickets, 2 web.
        for i in 0..<14 { tickets.append(Ticket(externalID: "b\(i)", tags: ["api"], createdMs: now - 2 * day - Int64(i) * 3 * hour)) }
        for i in 0..<6 { tickets.append(Ticket(externalID: "r\(i)", tags: ["api"], createdMs: now - Int64(i + 1) * 5 * minute)) }
        for i in 0..<2 { tickets.append(Ticket(externalID: "w\(i)", tags: ["web"], createdMs: now - minute * Int64(i + 1))) }
        let surges = TicketCorrelation.surges(in: tickets, settings: SurgeSettings(), nowMs: now)
        #expect(surges.map(\.tag) == ["api"])
        #expect(surges.first?.recent == 6)
        #expect(abs(surges.first!.baselinePerWindow - 14.0 / 168) < 1e-12)
    }

    @Test("satisfaction counts each ticket's latest rating in the period")
    func satisfaction() {
        let tickets = (0..<10).map { i in
            Ticket(externalID: "s\(i)", createdMs: start, events: [
                TicketEvent(atMs: start + hour, kind: .satisfaction(good: false)),
                TicketEvent(atMs: start + 2 * hour, kind: .satisfaction(good: i != 0)),
            ])
        }
        let result = TicketCorrelation.satisfaction(of: tickets, in: TimeRange(startMs: start, endMs: start + day))
        #expect(result.good == 9 && result.rated == 10)
        // 9 / 10 = 90 % meets a 90 % target exactly.
        #expect(!TicketSettings().satisfactionTarget.isGreaterThan(ratioOf: 9, to: 10))
    }
}
