import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// What only PostgreSQL has: connection failures, migrations shared by replicas, the leader lock.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    static var quiet: Logger {
        var logger = Logger(label: "vigil.test.postgres")
        logger.logLevel = .critical
        return logger
    }

    @Test("the test command gives the tests a PostgreSQL server in CI")
    func serverInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(StoreEngine.postgresURL != nil, "CI runs the store suite on both engines: run the tests through scripts/test")
        }
    }

    @Test("a wrong password or a closed port is a clear error within seconds, not a hang", arguments: StoreEngine.postgresOnly)
    func connectionFailures(engine: StoreEngine) async throws {
        var wrong = try PostgresSettings(url: try #require(StoreEngine.postgresURL))
        wrong.password = "not-the-password"
        let start = ContinuousClock.now
        do {
            _ = try await PostgresStore.open(wrong, logger: Self.quiet)
            Issue.record("a wrong password must not open the store")
        } catch let error as StoreError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("password authentication failed"), "\(error.message)")
            #expect(!error.message.contains("not-the-password"))
        }
        // Neither the settings nor a URL with a password print it.
        #expect(!"\(wrong)".contains("not-the-password") && !String(reflecting: wrong).contains("not-the-password"))
        let url = "postgres://vigil:not-the-password@127.0.0.1:1/vigil"
        #expect(!"\(StorageSettings.postgres(try PostgresSettings(url: url)))".contains("not-the-password"))
        var closed = wrong
        closed.port = 1
        closed.connectTimeoutMs = 2_000
        do {
            _ = try await PostgresStore.open(closed, logger: Self.quiet)
            Issue.record("a closed port must not open the store")
        } catch let error as StoreError {
            #expect(error.message.contains("cannot connect to PostgreSQL at 127.0.0.1:1"), "\(error.message)")
        }
        // Without a deadline postgres-nio waits forever; both answers come within seconds. The bound leaves
        // room for SCRAM on a machine busy with the other suites in parallel (5.4 s was seen there).
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test("when the database goes away, ingest answers 503 store_unavailable within the deadline", arguments: StoreEngine.postgresOnly)
    func databaseGone(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { configuration in
            if case .postgres(var settings) = configuration.storage {
                // Room to connect on a machine busy with the parallel suites (1 s was too little once).
                settings.queryTimeoutMs = 2_000
                settings.connectTimeoutMs = 3_000
                configuration.storage = .postgres(settings)
            }
        }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 60_000
            let first = BatchCodec.encodeForShipping(IngestTests.batch(seq: 1, start: start, statuses: [.up]))
            // The store works first: on a machine busy with the parallel suites, the first batch on a
            // fresh database can pass the 2 s query timeout, and the agent's retry is what follows.
            var stored = false
            for _ in 0..<5 where !stored {
                stored = try await IngestTests.post(port, body: first, token: token).status == 200
                if !stored { try await Task.sleep(for: .seconds(1)) }
            }
            #expect(stored)
            await harness.database?.drop()
            let began = ContinuousClock.now
            let answer = try await IngestTests.post(port, body: BatchCodec.encodeForShipping(IngestTests.batch(seq: 2, start: start + 10_000, statuses: [.up])), token: token)
            #expect(answer.status == 503)
            #expect(answer.body.contains("store_unavailable"), "\(answer.body)")
            // Within the store's deadline (query + connect timeouts, 5 s), with room for a busy machine.
            #expect(ContinuousClock.now - began < .seconds(12))
        }
    }

    @Test("TLS: require and verify-full with the server's CA connect encrypted; verify-full against other roots is refused",
          arguments: StoreEngine.postgresWithTLS)
    func tls(engine: StoreEngine) async throws {
        var settings = try PostgresSettings(url: try #require(StoreEngine.postgresURL))
        for mode in [PostgresSettings.TLSMode.require, .verifyCA, .verifyFull] {
            settings.tlsMode = mode
            settings.rootCertificatePath = try #require(StoreEngine.postgresCA)
            let connection = try await settings.connect(logger: Self.quiet)
            let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Self.quiet).collect()
            #expect(try rows[0].decode(Bool.self), "\(mode) connected without TLS")
            try await connection.close()
        }
        settings.rootCertificatePath = nil
        do {
            _ = try await PostgresStore.open(settings, logger: Self.quiet)
            Issue.record("verify-full must refuse a certificate the system roots do not sign")
        } catch let error as StoreError {
            #expect(error.message.contains("cannot connect to PostgreSQL"), "\(error.message)")
        }
        settings.tlsMode = .verifyFull
        settings.rootCertificatePath = "/nonexistent/ca.pem"
        await #expect(throws: StoreError.self) { try await PostgresStore.open(settings, logger: Self.quiet) }
    }

    @Test("a version 1 database is upgraded in place and keeps its data", arguments: StoreEngine.postgresOnly)
    func upgradeFromV1(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.settings.connect(logger: Self.quiet)
        try await PostgresMigrations.migrate(connection, upTo: 1, logger: Self.quiet)
        for sql in [
            "INSERT INTO agents (name, token_hash, created_ms) VALUES ('a', 'h', 0)",
            """
            INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
            VALUES (1, 'web', 1, 'web', 'http', 'http://x', 10000, 5000, 0)
            """,
            "INSERT INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status) VALUES (1, 0, 100, 50, 'down')",
            "INSERT INTO admin_tokens (token_hash, note, created_ms) VALUES ('old', 'admin.token', 0)",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.quiet)
        }
        try await connection.close()

        let before = try await StoreMigrations.run(
            storage: .postgres(database.settings), dataDirectory: "/nonexistent", dryRun: true, logger: Self.quiet
        )
        #expect(before.applied == ["v1 initial schema"] && before.pending == ["v2 collector replicas", "v3 token scopes", "v4 agent clocks", "v5 raw batch minutes", "v6 agent scopes", "v7 stored outages", "v8 ticket updates", "v9 rollup deltas", "v10 outage change log", "v11 outage change start"])
        let store = try await PostgresStore.open(database.settings, logger: Self.quiet)
        // Every service the old data knows is derived once, over its whole history.
        #expect(try await store.outageChanges().map(\.fromMs) == [-(Int64(1) << 62)])
        let runs = try await store.intervals(checkID: 1, overlapping: TimeRange(startMs: 0, endMs: 1_000))
        #expect(runs == [StateInterval(status: .down, startMs: 0, endMs: 100, lastBeatMs: 50, beats: 1, message: "")])
        try await store.recordReplica(ReplicaRecord(instance: "x", address: "a", version: "v", startedMs: 0, lastSeenMs: 1, leader: false))
        #expect(try await store.replicas(seenSince: 0).count == 1)
        // A token made before scopes existed keeps full rights.
        #expect(try await store.apiTokenScope(hash: "old") == .admin)
        await store.close()
        let after = try await StoreMigrations.run(storage: .postgres(database.settings), dataDirectory: "/nonexistent", dryRun: false, logger: Self.quiet)
        #expect(after.pending.isEmpty)
        await database.drop()
    }

    @Test("replicas starting at once on an empty database migrate it once", arguments: StoreEngine.postgresOnly)
    func concurrentMigrations(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore.open(database.settings, logger: Self.quiet) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let status = try await StoreMigrations.run(storage: .postgres(database.settings), dataDirectory: "/nonexistent", dryRun: true, logger: Self.quiet)
        #expect(status.applied.count == PostgresMigrations.all.count && status.pending.isEmpty)
        for store in stores { await store.close() }
        await database.drop()
    }

    @Test("one replica holds the leader lock; it passes on when the holder lets go or its connection dies",
          arguments: StoreEngine.postgresOnly)
    func leaderLock(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let first = PostgresLeaderLock(settings: database.settings, logger: Self.quiet)
        let second = PostgresLeaderLock(settings: database.settings, logger: Self.quiet)
        #expect(try await first.acquireOrConfirm())
        #expect(try await !second.acquireOrConfirm())
        #expect(try await first.acquireOrConfirm())
        await first.release()
        #expect(try await second.acquireOrConfirm())
        #expect(try await !first.acquireOrConfirm())

        // The holder's session is killed (as when its process dies): the server frees the lock.
        try await TestDatabase.admin(database.settings, """
            SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = \(UInt32(truncatingIfNeeded: PostgresLeaderLock.key))
            """)
        // The killed holder either notices (an error: it stops leading) or, finding the lock free again,
        // takes it anew; either way exactly one replica leads.
        let secondLeads = (try? await second.acquireOrConfirm()) ?? false
        let firstLeads = try await first.acquireOrConfirm()
        #expect(secondLeads != firstLeads)
        await first.release()
        await second.release()
        await database.drop()
    }
}

/// A replica's commit reaches the leader's tracker through `LISTEN`/`NOTIFY` (issue 20).
@Suite("PostgreSQL change notifications")
struct PostgresChangeNotificationTests {
    @Test("an outage confirmed by a batch another replica ingested is stored long before the tracker's poll",
          arguments: StoreEngine.postgresOnly)
    func notifiedAcrossReplicas(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let leader = try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet)
        let replica = try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet)
        var tracker = StoredOutageTests.tracker(leader)
        // Polling once an hour: only a notification can make it derive the replica's batch in time.
        tracker.pollEveryMs = 3_600_000
        let running = tracker
        let agent = try await replica.registerAgent(name: "edge", tokenHash: "h", nowMs: 0).id
        let check = CheckDefinition(id: 1, name: "home", service: "web", kind: "http", target: "http://web", intervalMs: 10_000, timeoutMs: 5_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await running.run() }
            // Its first pass (at start, with nothing to derive) and its LISTEN come first.
            try await Task.sleep(for: .seconds(1))
            let now = WallClock.nowMs()
            let beats = (0..<3).map { Heartbeat(check: 1, timestampMs: now - 20_000 + Int64($0) * 10_000, status: .down, latencyUs: 1_000, message: "HTTP 503") }
            _ = try await replica.ingest(IngestBatch(
                agentID: agent, batch: Batch(sessionID: "s", seq: 1, agentVersion: "t", checks: [check], heartbeats: beats),
                rawBody: [1], contentType: "application/x-protobuf", contentEncoding: "deflate",
                receivedMs: now, oldestAcceptedMs: 0, newestAcceptedMs: now + 60_000
            ))
            var stored: [Outage] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while stored.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                stored = try await leader.storedOutages(service: nil, overlapping: OutageTracker.everything)
            }
            #expect(stored.map(\.service) == ["web"])
            #expect(stored.first?.ongoing == true)
            #expect(stored.first?.range.startMs == now - 20_000)
            group.cancelAll()
        }
        await leader.close()
        await replica.close()
        await database.drop()
    }
}

@Suite("PostgreSQL rollup deltas")
struct PostgresRollupDeltaTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    /// 10:00 UTC on a day well in the past: the heartbeats fill its first 58 minutes.
    static let base: Int64 = 20_000 * day + 10 * hour

    @Test("two replicas ingest the same services while both compact: every read counts each heartbeat once",
          arguments: StoreEngine.postgresOnly)
    func concurrentCompaction(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let replicas = [
            try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet),
            try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet),
        ]
        let services = (0..<5).map { "svc-\($0)" }
        // Four agents with a check on each service; agent k's batches go to replica k % 2.
        var batches: [[IngestBatch]] = []
        var expected: [String: ProbeCounts] = [:]
        var generator = SeededGenerator(seed: 20)
        for agent in 0..<4 {
            let id = try await replicas[0].registerAgent(name: "agent-\(agent)", tokenHash: "h\(agent)", nowMs: 0).id
            let checks = services.enumerated().map { index, service in
                CheckDefinition(id: UInt32(index + 1), name: "c\(index)", service: service, kind: "http", target: "http://\(service)", intervalMs: 10_000, timeoutMs: 5_000)
            }
            var mine: [IngestBatch] = []
            for seq in 0..<35 {
                var beats: [Heartbeat] = []
                for step in seq * 10..<(seq + 1) * 10 {
                    for (index, check) in checks.enumerated() {
                        let status = [CheckStatus.up, .up, .up, .degraded, .down].randomElement(using: &generator)!
                        let latency = UInt32.random(in: 100...900_000, using: &generator)
                        beats.append(Heartbeat(
                            check: check.id, timestampMs: Self.base + Int64(step) * 10_000 + Int64(agent * 100 + index),
                            status: status, latencyUs: latency, code: 200, message: status == .down ? "HTTP 503" : ""
                        ))
                        expected[check.service, default: ProbeCounts()].record(status, latencyUs: latency)
                    }
                }
                mine.append(IngestBatch(
                    agentID: id, batch: Batch(sessionID: "s", seq: UInt64(seq + 1), agentVersion: "t", checks: checks, heartbeats: beats),
                    rawBody: [1], contentType: "application/x-protobuf", contentEncoding: "deflate",
                    receivedMs: WallClock.nowMs(), oldestAcceptedMs: 0, newestAcceptedMs: Int64.max
                ))
            }
            batches.append(mine)
        }
        // The same heartbeats through day, hour and minute rows.
        let covers = [
            RollupCover([TimeRange(startMs: Self.base - 10 * Self.hour, endMs: Self.base + 14 * Self.hour)]),
            RollupCover([TimeRange(startMs: Self.base, endMs: Self.base + Self.hour)]),
            RollupCover([TimeRange(startMs: Self.base, endMs: Self.base + 59 * 60_000)]),
        ]
        #expect(covers.map { $0.keys.keys.sorted() } == [[Self.day], [Self.hour], [60_000]])
        let everything = expected.values.reduce(ProbeCounts()) { var sum = $0; sum.add($1); return sum }
        let reads = try await withThrowingTaskGroup(of: Int.self) { group in
            for (agent, mine) in batches.enumerated() {
                let replica = replicas[agent % 2]
                group.addTask {
                    for batch in mine { _ = try await replica.ingest(batch) }
                    return -1
                }
            }
            for replica in replicas {
                group.addTask {
                    try await repeatUntilCancelled {
                        _ = try await replica.compactRollups(nowMs: WallClock.nowMs())
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
                    }
                    return -2
                }
            }
            group.addTask {
                // Totals only grow and never pass what was sent: a delta counted twice, or missed while
                // it moved, would show as a step back or past the end.
                var last = [Int64](repeating: 0, count: covers.count)
                var reads = 0
                do {
                    while !Task.isCancelled {
                        for (index, cover) in covers.enumerated() {
                            let counts = try await replicas[reads % 2].rollupCounts(
                                Dictionary(uniqueKeysWithValues: services.map { ($0, cover) }), latency: reads % 3 != 0
                            )
                            let total = counts.values.reduce(0) { $0 + $1.up + $1.degraded + $1.down }
                            #expect(total >= last[index] && total <= everything.up + everything.degraded + everything.down)
                            last[index] = total
                        }
                        reads += 1
                    }
                } catch {
                    if !Task.isCancelled { throw error }
                }
                return reads
            }
            var finished = 0
            var reads = 0
            while let value = try await group.next() {
                if value == -1 { finished += 1 }
                if value >= 0 { reads = value }
                if finished == batches.count { group.cancelAll() }
            }
            return reads
        }
        #expect(reads > 0)
        // Before the last compaction some deltas may still be pending; reads count them all the same.
        for cover in covers {
            let counts = try await replicas[1].rollupCounts(Dictionary(uniqueKeysWithValues: services.map { ($0, cover) }), latency: true)
            #expect(counts == expected)
        }
        _ = try await replicas[0].compactRollups(nowMs: WallClock.nowMs())
        let pending = try await replicas[0].withConnection("counting deltas") { connection, logger in
            try await connection.query("SELECT COUNT(*) FROM rollup_deltas", logger: logger).collect()[0].decode(Int64.self)
        }
        #expect(pending == 0)
        for cover in covers {
            let counts = try await replicas[0].rollupCounts(Dictionary(uniqueKeysWithValues: services.map { ($0, cover) }), latency: true)
            #expect(counts == expected)
        }
        for replica in replicas { await replica.close() }
        await database.drop()
    }
}

@Suite("PostgreSQL outage change log")
struct PostgresOutageChangeLogTests {
    @Test("two replicas ingest the same services while the leader derives and both merge the change log: the stored outages equal the oracle",
          arguments: StoreEngine.postgresOnly)
    func concurrentChanges(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let replicas = [
            try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet),
            try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet),
        ]
        var generator = SeededGenerator(seed: 41)
        let checks = StoredOutageTests.definitions()
        var inputs: [[IngestBatch]] = []
        for (agent, batches) in StoredOutageTests.histories(&generator, agents: 4, steps: 150).enumerated() {
            let id = try await replicas[0].registerAgent(name: "a\(agent)", tokenHash: "h\(agent)", nowMs: 0).id
            inputs.append(batches.enumerated().map { index, beats in
                StoredOutageTests.input(agent: id, seq: UInt64(index + 1), checks: checks, beats: beats, receivedMs: beats.last!.timestampMs + 500)
            })
        }
        let last = inputs.flatMap { $0.map(\.receivedMs) }.max()!
        let tracker = StoredOutageTests.tracker(replicas[0])
        try await withThrowingTaskGroup(of: Bool.self) { group in
            // Agent k's batches, in order, to replica k % 2; all agents at once.
            for (agent, mine) in inputs.enumerated() {
                let replica = replicas[agent % 2]
                group.addTask {
                    for batch in mine { _ = try await replica.ingest(batch) }
                    return true
                }
            }
            // The leader derives while batches land; both replicas merge the log meanwhile.
            group.addTask {
                try await repeatUntilCancelled {
                    _ = try await tracker.pass(nowMs: last)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
                }
                return false
            }
            for replica in replicas {
                group.addTask {
                    try await repeatUntilCancelled {
                        _ = try await replica.compactOutageChanges()
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0...10)))
                    }
                    return false
                }
            }
            var finished = 0
            while let ingested = try await group.next() {
                if ingested { finished += 1 }
                if finished == inputs.count { group.cancelAll() }
            }
        }
        // What a pass derived while a batch landed must be derived again: one more pass sees every change.
        _ = try await tracker.pass(nowMs: last)
        let stored = try await replicas[1].storedOutages(service: nil, overlapping: OutageTracker.everything)
        let oracle = try await StoredOutageTests.oracle(replicas[1], catalog: ServiceCatalog(), nowMs: last)
        #expect(!oracle.isEmpty, "the history has outages")
        #expect(stored == oracle)
        let left = try await replicas[0].withConnection("counting changes") { connection, logger in
            (try await connection.query("SELECT COUNT(*) FROM outage_change_log", logger: logger).collect()[0].decode(Int64.self),
             try await connection.query("SELECT COUNT(*) FROM outage_changes", logger: logger).collect()[0].decode(Int64.self))
        }
        #expect(left.0 == 0 && left.1 == 0, "every change merged and derived")
        for replica in replicas { await replica.close() }
        await database.drop()
    }

    @Test("a change merged after the feed was read keeps its row when the derivation clears", arguments: StoreEngine.postgresOnly)
    func changedMeanwhile(engine: StoreEngine) async throws {
        let database = try await TestDatabase.create()
        let leader = try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet)
        let replica = try await PostgresStore.open(database.settings, logger: PostgresStoreTests.quiet)
        try await replica.markOutagesChanged(services: ["web", "api"], fromMs: 5_000, nowMs: 100)
        try await replica.markOutagesChanged(services: ["web"], fromMs: 2_000, nowMs: 200)
        // Nothing merged yet: the log holds three rows, the feed's rows none.
        let logged = try await leader.withConnection("counting the log") { connection, logger in
            try await connection.query("SELECT COUNT(*) FROM outage_change_log", logger: logger).collect()[0].decode(Int64.self)
        }
        #expect(logged == 3)
        let read = try await leader.outageChanges()
        #expect(read.map(\.service) == ["api", "web"])
        #expect(read.map(\.fromMs) == [5_000, 2_000], "each service's earliest change")
        #expect(read.map(\.markedMs) == [100, 100], "the time of its oldest change")
        // Another batch changes web after the read; the replica merges it before the leader clears.
        try await replica.markOutagesChanged(services: ["web"], fromMs: 9_000, nowMs: 300)
        #expect(try await replica.compactOutageChanges() == 1)
        let writes = read.map { OutageWrite(service: $0.service, changes: OutageLedger.Changes(), alerts: [], clearing: $0) }
        try await leader.applyOutageWrites(writes, nowMs: 400)
        let after = try await leader.outageChanges()
        #expect(after.map(\.service) == ["web"], "api is derived; web changed meanwhile")
        #expect(after.first?.markedMs == 400)
        #expect(after.first?.fromMs == 9_000, "it starts at the change that came after the read, not at the first")
        await leader.close()
        await replica.close()
        await database.drop()
    }
}

/// Runs `body` again and again until the task is cancelled; an error thrown because of the
/// cancellation (a sleep, a query cut short) ends it quietly, any other is rethrown.
func repeatUntilCancelled(_ body: () async throws -> Void) async throws {
    do {
        while !Task.isCancelled { try await body() }
    } catch {
        if !Task.isCancelled { throw error }
    }
}
