import Testing
import VigilCore
import VigilTestSupport
@testable import VigilCollector

/// The store conformance suite, second half: tickets, alerts, silences, maintenance and replicas, on
/// SQLite and on PostgreSQL.
@Suite("Store conformance: tickets, alerts, maintenance and replicas")
struct StoreRecordsConformanceTests {
    @Test("tickets are upserted by external id; events are stored once; status follows the latest status event",
          arguments: StoreEngine.available)
    func tickets(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let t1 = Ticket(
                externalID: "T1", title: "API down", requester: "ann", organisation: "Acme", priority: .urgent, category: "outage",
                tags: ["api", "eu"], createdMs: 1_000, events: [TicketEvent(atMs: 1_000, kind: .status(.open))]
            )
            let t2 = Ticket(externalID: "T2", createdMs: 2_000)
            #expect(try await store.upsertTickets([t1, t2], nowMs: 5_000) == [true, true])
            var changed = t1
            changed.title = "API down in EU"
            changed.events = [TicketEvent(atMs: 1_000, kind: .status(.open)), TicketEvent(atMs: 1_500, kind: .agentReply)]
            #expect(try await store.upsertTickets([changed], nowMs: 6_000) == [false])

            let stored = try #require(try await store.ticket(externalID: "T1"))
            #expect(stored.title == "API down in EU" && stored.tags == ["api", "eu"] && stored.priority == .urgent)
            #expect(stored.events == changed.events)

            let solved = try await store.addTicketEvents(
                externalID: "T1",
                [TicketEvent(atMs: 3_000, kind: .status(.solved)), TicketEvent(atMs: 3_000, kind: .satisfaction(good: true))],
                nowMs: 7_000
            )
            #expect(solved.events.count == 4)
            #expect(solved.status(at: 10_000) == .solved)
            do {
                _ = try await store.addTicketEvents(externalID: "nope", [], nowMs: 0)
                Issue.record("events for an unknown ticket must fail")
            } catch let error as StoreError {
                #expect(error.code == .notFound)
            }
            #expect(try await store.tickets(created: TimeRange(startMs: 0, endMs: 10_000), openOnly: false).map(\.externalID) == ["T1", "T2"])
            #expect(try await store.tickets(created: TimeRange(startMs: 0, endMs: 10_000), openOnly: true).map(\.externalID) == ["T2"])
            #expect(try await store.tickets(created: TimeRange(startMs: 1_500, endMs: 10_000), openOnly: false).map(\.externalID) == ["T2"])
            #expect(try await store.ticket(externalID: "T9") == nil)
        }
    }

    @Test("alerts are stored once per dedupe key with a delivery per hook; attempts move deliveries on",
          arguments: StoreEngine.available)
    func alerts(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let opened = StoredAlert(dedupeKey: "outage.opened:web:1", type: "outage.opened", severity: "page", service: "web", occurredMs: 1, body: "{}")
            let id = try #require(try await store.enqueueAlert(opened, hooks: ["ops", "chat"], nowMs: 100))
            #expect(try await store.enqueueAlert(opened, hooks: ["ops"], nowMs: 200) == nil)
            #expect(try await store.hasAlert(dedupeKey: opened.dedupeKey))
            #expect(try await !store.hasAlert(dedupeKey: "other"))
            #expect(try await store.alertState(dedupeKey: opened.dedupeKey) == opened)

            var silenced = StoredAlert(dedupeKey: "sla.breached:web", type: "sla.breached", severity: "ticket", service: nil, occurredMs: 2, body: "{}")
            silenced.silencedBy = "silence 1: deploy"
            let silencedID = try #require(try await store.enqueueAlert(silenced, hooks: ["ops"], nowMs: 150))

            let due = try await store.dueDeliveries(nowMs: 1_000, limit: 10)
            #expect(due.map(\.hook).sorted() == ["chat", "ops"])
            #expect(Set(due.map(\.deliveryID)) == ["\(id)-ops", "\(id)-chat"])
            #expect(due.allSatisfy { $0.alertID == id && $0.attempts == 0 && $0.alertCreatedMs == 100 })
            #expect(try await store.dueDeliveries(nowMs: 1_000, limit: 1).count == 1)
            #expect(try await store.dueDeliveries(nowMs: 99, limit: 10).isEmpty)

            try await store.recordAttempt(alertID: id, hook: "ops", state: .delivered, error: "", nextAttemptMs: 1_000, nowMs: 1_000)
            try await store.recordAttempt(alertID: id, hook: "chat", state: .pending, error: "HTTP 503", nextAttemptMs: 5_000, nowMs: 1_000)
            #expect(try await store.dueDeliveries(nowMs: 4_999, limit: 10).isEmpty)
            #expect(try await store.dueDeliveries(nowMs: 5_000, limit: 10).map(\.attempts) == [1])

            let records = try await store.alerts(sinceMs: 0, limit: 10)
            #expect(records.map(\.id) == [silencedID, id])
            #expect(records[0].deliveries.isEmpty && records[0].alert.silencedBy == "silence 1: deploy")
            let deliveries = records[1].deliveries
            #expect(deliveries.map(\.hook) == ["chat", "ops"])
            #expect(deliveries[0].state == .pending && deliveries[0].lastError == "HTTP 503" && deliveries[0].finishedMs == nil)
            #expect(deliveries[1].state == .delivered && deliveries[1].finishedMs == 1_000 && deliveries[1].attempts == 1)
            #expect(try await store.alerts(sinceMs: 120, limit: 10).map(\.id) == [silencedID])
        }
    }

    @Test("alerts page newest first through ties in creation time: every alert once, in order", arguments: StoreEngine.available)
    func alertPages(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            // 23 alerts over 8 creation instants: ties are broken by id, as the order says.
            var expected: [AlertPosition] = []
            for index in 0..<23 {
                let created = Int64(100 + (index % 8) * 10)
                let alert = StoredAlert(dedupeKey: "k\(index)", type: "outage.opened", severity: "page", service: "web", occurredMs: created, body: "{}")
                let id = try #require(try await store.enqueueAlert(alert, hooks: [], nowMs: created))
                expected.append(AlertPosition(createdMs: created, id: id))
            }
            expected.sort { ($0.createdMs, $0.id) > ($1.createdMs, $1.id) }
            for size in [1, 4, 7, 23, 50] {
                var seen: [AlertPosition] = []
                var before: AlertPosition?
                while true {
                    let page = try await store.alerts(sinceMs: 0, limit: size, before: before)
                    seen += page.map { AlertPosition(createdMs: $0.createdMs, id: $0.id) }
                    guard page.count == size, let last = page.last else { break }
                    before = AlertPosition(createdMs: last.createdMs, id: last.id)
                }
                #expect(seen == expected, "pages of \(size)")
            }
            // `since` still bounds every page.
            let recent = try await store.alerts(sinceMs: 160, limit: 5, before: AlertPosition(createdMs: 170, id: Int64.max))
            #expect(recent.map(\.createdMs) == [170, 170, 160, 160, 160])
        }
    }

    @Test("alert episodes and silences", arguments: StoreEngine.available)
    func episodesAndSilences(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            #expect(try await store.alertEpisode(key: "burn:web") == nil)
            try await store.setAlertEpisode(key: "burn:web", sinceMs: 10)
            try await store.setAlertEpisode(key: "burn:web", sinceMs: 20)
            #expect(try await store.alertEpisode(key: "burn:web") == 20)
            try await store.setAlertEpisode(key: "burn:web", sinceMs: nil)
            #expect(try await store.alertEpisode(key: "burn:web") == nil)

            let first = try await store.addSilence(Silence(
                service: "web", type: nil, severity: "page", range: TimeRange(startMs: 0, endMs: 1_000), reason: "deploy", createdMs: 1
            ))
            let second = try await store.addSilence(Silence(
                service: nil, type: "agent.silent", severity: nil, range: TimeRange(startMs: 500, endMs: 5_000), reason: "move", createdMs: 2
            ))
            #expect(first.id != second.id && first.id > 0)
            #expect(try await store.silences(activeAfter: 0) == [first, second])
            #expect(try await store.silences(activeAfter: 1_000) == [second])
            try await store.removeSilence(id: first.id)
            #expect(try await store.silences(activeAfter: 0) == [second])
            do {
                try await store.removeSilence(id: first.id)
                Issue.record("removing a silence twice must fail")
            } catch let error as StoreError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test("maintenance windows, one-off and weekly", arguments: StoreEngine.available)
    func maintenance(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let once = try await store.addMaintenance(MaintenanceRecord(
                service: "web", once: TimeRange(startMs: 100, endMs: 200), reason: "db upgrade", createdMs: 1
            ))
            let weekly = try await store.addMaintenance(MaintenanceRecord(
                service: "*", weekly: .init(days: [.sunday, .saturday], fromMinute: 120, toMinute: 240, timeZone: "Europe/Berlin"),
                reason: "backups", createdMs: 2
            ))
            #expect(try await store.maintenanceWindows() == [once, weekly])
            try await store.removeMaintenance(id: once.id)
            #expect(try await store.maintenanceWindows() == [weekly])
            do {
                try await store.removeMaintenance(id: once.id)
                Issue.record("removing a window twice must fail")
            } catch let error as StoreError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test("replicas report themselves; the list holds those seen recently", arguments: StoreEngine.available)
    func replicas(engine: StoreEngine) async throws {
        try await withTestStore(engine) { store in
            let a = ReplicaRecord(instance: "a", address: "10.0.0.1:7400", version: "1", startedMs: 0, lastSeenMs: 1_000, leader: true)
            var b = ReplicaRecord(instance: "b", address: "10.0.0.2:7400", version: "1", startedMs: 0, lastSeenMs: 500, leader: false)
            try await store.recordReplica(a)
            try await store.recordReplica(b)
            #expect(try await store.replicas(seenSince: 0) == [a, b])
            #expect(try await store.replicas(seenSince: 800) == [a])
            b.lastSeenMs = 2_000
            b.leader = true
            try await store.recordReplica(b)
            #expect(try await store.replicas(seenSince: 1_500) == [b])
        }
    }
}
