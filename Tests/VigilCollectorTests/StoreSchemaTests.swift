import GRDB
import Logging
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilCollector

@Suite("Store schema and rollups")
struct StoreSchemaTests {
    @Test("a v1 database is upgraded in place and keeps its intervals")
    func upgradeFromV1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/vigil.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v1")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO agents (name, token_hash, created_ms) VALUES ('a', 'h', 0)")
                try db.execute(sql: """
                    INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
                    VALUES (1, 'web', 1, 'web', 'http', 'http://x', 10000, 5000, 0)
                    """)
                try db.execute(sql: "INSERT INTO state_intervals (check_id, start_ms, end_ms, last_beat_ms, status) VALUES (1, 0, 100, 50, 'down')")
            }
        }
        let store = try SQLiteStore(path: path)
        let runs = try await store.intervals(checkID: 1, overlapping: TimeRange(startMs: 0, endMs: 1_000))
        #expect(runs == [StateInterval(status: .down, startMs: 0, endMs: 100, lastBeatMs: 50, beats: 1, message: "")])
        #expect(try await store.maintenanceWindows().isEmpty)
    }

    @Test("vigil-collector migrate lists a v7 database's pending migration, applies it, then has nothing to do; old tokens stay admin")
    func migrateFromPrevious() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let queue = try DatabaseQueue(path: directory.path + "/vigil.sqlite")
            try SQLiteStore.migrator.migrate(queue, upTo: "v7")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO admin_tokens (token_hash, note, created_ms) VALUES ('old', 'admin.token', 0)")
            }
        }
        let logger = Logger(label: "test")
        let before = try await StoreMigrations.run(storage: .sqlite, dataDirectory: directory.path, dryRun: true, logger: logger)
        #expect(before.applied == ["v1", "v2", "v3", "v4", "v5", "v6", "v7"] && before.pending == ["v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16"])
        #expect(try await StoreMigrations.run(storage: .sqlite, dataDirectory: directory.path, dryRun: true, logger: logger).pending == ["v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16"])
        _ = try await StoreMigrations.run(storage: .sqlite, dataDirectory: directory.path, dryRun: false, logger: logger)
        #expect(try await StoreMigrations.run(storage: .sqlite, dataDirectory: directory.path, dryRun: true, logger: logger).pending.isEmpty)
        let store = try SQLiteStore(path: directory.path + "/vigil.sqlite")
        // A token made before scopes existed keeps full rights.
        #expect(try await store.apiTokenScope(hash: "old") == .admin)
    }

    @Test("rollup cover uses whole days, then hours, then minutes")
    func cover() {
        let day: Int64 = 86_400_000
        let hour: Int64 = 3_600_000
        // [day 1 22:30, day 3 01:00): minutes 22:30–23:00, hour 23:00, day 2, hour 00:00 of day 3.
        let cover = RollupCover([TimeRange(startMs: day + 22 * hour + 1_800_000, endMs: 3 * day + hour)])
        #expect(cover.keys[RollupResolution.day.rawValue] == [2 * day])
        #expect(cover.keys[RollupResolution.hour.rawValue] == [day + 23 * hour, 3 * day])
        #expect(cover.keys[RollupResolution.minute.rawValue]?.count == 30)
        #expect(cover.raw.isEmpty)
    }

    @Test("what no rollup row covers exactly is left to the raw batches: partial minutes and pruned minutes")
    func coverRaw() {
        let minute: Int64 = 60_000
        let hour: Int64 = 3_600_000
        // [10:00:30.250, 10:03:15): the partial minutes 10:00:30.250–10:01 and 10:03–10:03:15 are raw,
        // 10:01 and 10:02 are minute rows.
        let cover = RollupCover([TimeRange(startMs: 10 * hour + 30_250, endMs: 10 * hour + 3 * minute + 15_000)])
        #expect(cover.keys[RollupResolution.minute.rawValue] == [10 * hour + minute, 10 * hour + 2 * minute])
        #expect(cover.raw == [TimeRange(startMs: 10 * hour + 30_250, endMs: 10 * hour + minute), TimeRange(startMs: 10 * hour + 3 * minute, endMs: 10 * hour + 3 * minute + 15_000)])
        #expect(cover.rawMinutes == [10 * hour, 10 * hour + 3 * minute])
        // Inside one minute: all raw, one minute to read.
        let inside = RollupCover([TimeRange(startMs: 10 * hour + 1_000, endMs: 10 * hour + 2_000)])
        #expect(inside.keys.isEmpty && inside.raw == [TimeRange(startMs: 10 * hour + 1_000, endMs: 10 * hour + 2_000)])
        // Minute rows pruned before 10:02: [10:00, 11:00) is one hour row, [09:58, 10:00) was minutes and
        // is now raw; 10:00 onwards needs no minute rows.
        let pruned = RollupCover([TimeRange(startMs: 10 * hour - 2 * minute, endMs: 11 * hour)], minuteRowsSinceMs: 10 * hour + 2 * minute)
        #expect(pruned.keys[RollupResolution.hour.rawValue] == [10 * hour] && pruned.keys[RollupResolution.minute.rawValue] == nil)
        #expect(pruned.raw == [TimeRange(startMs: 10 * hour - 2 * minute, endMs: 10 * hour)])
    }
}
