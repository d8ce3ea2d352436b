import Foundation
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Tickets API")
struct TicketAPITests {
    static func ticket(_ id: String, tags: [String], at ms: Int64, organisation: String = "Acme", status: String? = nil) -> String {
        let statusField = status.map { #", "status": "\#($0)", "updated_at": "\#(ISOTime.format(ms: ms + 60_000))""# } ?? ""
        return #"{"external_id": "\#(id)", "title": "help \#(id)", "requester": "ann@example.com", "organisation": "\#(organisation)", "priority": "high", "category": "technical", "tags": \#(tags), "created_at": "\#(ISOTime.format(ms: ms))"\#(statusField)}"#
    }

    @Test("an outage links exactly the tickets for its service and time; the report and the outage show them", arguments: StoreEngine.available)
    func outageLinksTickets(engine: StoreEngine) async throws {
        // web is down from +20 min to +30 min (one location, confirmed after two failures).
        try await SLAAPITests.withOneHourOfProbes(engine: engine, configure: { $0.catalog.aliases["web"] = ["public-web"] }) { port, admin, start in
            let outageStart = start + 20 * 60_000
            let outageEnd = start + 30 * 60_000
            let posts: [(String, String)] = [
                ("T1", Self.ticket("T1", tags: ["web"], at: outageStart + 5 * 60_000)),                          // during: linked
                ("T2", Self.ticket("T2", tags: ["web"], at: outageEnd + 60 * 60_000, organisation: "Globex", status: "solved")), // +1 h: linked
                ("T3", Self.ticket("T3", tags: ["web"], at: outageStart - 30 * 60_000)),                         // 30 min before: no
                ("T4", Self.ticket("T4", tags: ["billing"], at: outageStart + 5 * 60_000)),                      // other service: no
                ("T5", Self.ticket("T5", tags: ["public-web"], at: outageStart - 10 * 60_000)),                  // alias, −10 min: linked
                ("T6", Self.ticket("T6", tags: ["web"], at: outageEnd + 121 * 60_000)),                          // +2 h 01: no
            ]
            for (_, body) in posts {
                #expect(try await SLAAPITests.send(.POST, port, "/v1/tickets", token: admin, body: body).0 == 201)
            }
            // Posting the same ticket again updates it (200) and changes nothing else.
            #expect(try await SLAAPITests.send(.POST, port, "/v1/tickets", token: admin, body: posts[0].1).0 == 200)

            let outages = try JSONDecoder().decode([OutageInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/outages?service=web&since=1d", token: admin).1)
            let id = try #require(outages.first?.id)
            let (status, body) = try await SLAAPITests.send(.GET, port, "/v1/outages/\(id)", token: admin)
            #expect(status == 200)
            let detail = try JSONDecoder().decode(OutageDetailInfo.self, from: body)
            #expect(detail.tickets.map(\.externalID).sorted() == ["T1", "T2", "T5"])
            #expect(detail.openTickets == 2)
            #expect(detail.organisations == ["Acme", "Globex"])

            let shown = try JSONDecoder().decode(TicketInfo.self, from: try await SLAAPITests.send(.GET, port, "/v1/tickets/T1", token: admin).1)
            #expect(shown.outage?.id == id)
            #expect(shown.policy == "complex-technical")
            #expect(shown.clocks.map(\.metric) == ["first_response", "resolution"])
            let other = try JSONDecoder().decode(TicketInfo.self, from: try await SLAAPITests.send(.GET, port, "/v1/tickets/T4", token: admin).1)
            #expect(other.outage == nil)

            let window = "from=\(ISOTime.format(ms: start - 3_600_000))&to=\(ISOTime.format(ms: start + 4 * 3_600_000))"
            let report = try JSONDecoder().decode(TicketReportInfo.self, from: try await SLAAPITests.send(.GET, port, "/v1/report/tickets?\(window)", token: admin).1)
            #expect(report.tickets == 6)
            #expect(report.outages.map(\.outage.id) == [id])
            #expect(report.outages.first?.tickets.sorted() == ["T1", "T2", "T5"])
            #expect(report.byPriority.map(\.priority) == ["high"])
        }
    }

    @Test("events, webhooks and imports: idempotent, validated, mapped", arguments: StoreEngine.available)
    func intake(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let admin = harness.collector.adminToken
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let created = WallClockForTests.nowMs() - 10 * 3_600_000
            #expect(try await SLAAPITests.send(.POST, port, "/v1/tickets", token: admin, body: Self.ticket("E1", tags: ["api"], at: created)).0 == 201)
            let events = #"{"events": [{"at": "\#(ISOTime.format(ms: created + 3_600_000))", "type": "agent_reply"}, {"at": "\#(ISOTime.format(ms: created + 7_200_000))", "type": "status", "status": "pending"}]}"#
            for _ in 0..<2 {
                let (status, body) = try await SLAAPITests.send(.POST, port, "/v1/tickets/E1/events", token: admin, body: events)
                #expect(status == 200)
                let ticket = try JSONDecoder().decode(TicketInfo.self, from: body)
                #expect(ticket.events?.count == 2 && ticket.status == "pending")
                #expect(ticket.clocks.first { $0.metric == "first_response" }?.state == "met")
                #expect(ticket.clocks.first { $0.metric == "resolution" }?.state == "paused")
            }
            #expect(try await SLAAPITests.send(.POST, port, "/v1/tickets/nope/events", token: admin, body: events).0 == 404)
            let badEvent = #"{"at": "yesterday", "type": "agent_reply"}"#
            #expect(try await SLAAPITests.send(.POST, port, "/v1/tickets/E1/events", token: admin, body: badEvent).0 == 400)

            // Zendesk's ticket shape.
            let zendesk = #"{"ticket": {"id": 35436, "subject": "Login broken", "status": "hold", "priority": "urgent", "type": "incident", "tags": ["api", "login"], "created_at": "\#(ISOTime.format(ms: created))", "updated_at": "\#(ISOTime.format(ms: created + 600_000))", "requester": {"name": "Ann", "email": "ann@example.com"}, "organization": {"name": "Acme"}, "satisfaction_rating": {"score": "good"}, "metric_set": {"reply_time_in_minutes": {"calendar": 42}}}}"#
            let (zStatus, zBody) = try await SLAAPITests.send(.POST, port, "/v1/webhooks/zendesk", token: admin, body: zendesk)
            #expect(zStatus == 201)
            let z = try JSONDecoder().decode(TicketInfo.self, from: zBody)
            #expect(z.externalID == "zendesk-35436" && z.status == "on_hold" && z.priority == "urgent" && z.category == "incident")
            #expect(z.requester == "Ann" && z.organisation == "Acme" && z.satisfaction == "good" && z.tags == ["api", "login"])
            #expect(z.firstReplyAt == ISOTime.format(ms: created + 42 * 60_000))
            #expect(try await SLAAPITests.send(.POST, port, "/v1/webhooks/tickets", token: admin, body: Self.ticket("G1", tags: ["api"], at: created)).0 == 201)
            #expect(try await SLAAPITests.send(.POST, port, "/v1/webhooks/zendesk", token: "wrong", body: zendesk).0 == 401)

            // An import keeps the good rows and names the bad ones.
            let rows = "[" + [
                Self.ticket("I1", tags: ["api"], at: created),
                #"{"external_id": "I2", "created_at": "not a time"}"#,
                #"{"external_id": "I3", "created_at": "\#(ISOTime.format(ms: created))", "priority": "critical"}"#,
                Self.ticket("I4", tags: ["web"], at: created),
            ].joined(separator: ",") + "]"
            let result = try JSONDecoder().decode(TicketImportResult.self, from: try await SLAAPITests.send(.POST, port, "/v1/tickets/import", token: admin, body: rows).1)
            #expect(result.created == 2 && result.updated == 0)
            #expect(result.rejected.map(\.index) == [1, 2])
            #expect(result.rejected[1].reason.contains("priority"))

            // Times far ahead of the collector's clock are refused.
            let (future, futureBody) = try await SLAAPITests.send(.POST, port, "/v1/tickets", token: admin, body: Self.ticket("F1", tags: ["api"], at: created + 2 * 86_400_000))
            #expect(future == 400 && String(decoding: futureBody, as: UTF8.self).contains("in the future"))
            let report = try JSONDecoder().decode(TicketReportInfo.self, from: try await SLAAPITests.send(.GET, port, "/v1/report/tickets?window=1d", token: admin).1)
            #expect(report.satisfaction.good == 1 && report.satisfaction.rated == 1 && report.satisfaction.met == true)
            #expect(report.satisfactionPeriod?.period?.contains("-Q") == true && report.satisfactionPeriod?.rated == 1)

            let open = try JSONDecoder().decode([TicketInfo].self, from: try await SLAAPITests.send(.GET, port, "/v1/tickets?open=true&service=api", token: admin).1)
            #expect(Set(open.map(\.externalID)) == ["E1", "zendesk-35436", "G1", "I1"])
        }
    }
}
