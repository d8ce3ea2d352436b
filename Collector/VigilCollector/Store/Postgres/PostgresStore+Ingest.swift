import Logging
import PostgresNIO
import VigilCore
import VigilWire

extension PostgresStore {
    /// Stores a batch once per (agent, session, seq), whichever replica it reaches: the agent's row is
    /// locked first, so the same batch retried to two collectors at once is stored by one and reported
    /// as a duplicate by the other. Every step is one statement for the whole batch (about a dozen round
    /// trips however many checks it carries).
    public func ingest(_ input: IngestBatch) async throws -> IngestOutcome {
        let (outcome, changed) = try await transaction("storing a batch") { connection, logger in
            let batch = input.batch
            let seq = Int64(batch.seq)
            // Lock first, then look: the look is a new statement, so it sees a batch another replica
            // committed while this one waited for the lock.
            let agent = try await connection.query("SELECT 1 FROM agents WHERE id = \(input.agentID) FOR UPDATE", logger: logger).collect()
            guard !agent.isEmpty else { throw StoreError(.notFound, "no agent with id \(input.agentID)") }
            let seen = try await connection.query("""
                SELECT 1 FROM raw_batches WHERE agent_id = \(input.agentID) AND session_id = \(batch.sessionID) AND seq = \(seq)
                """, logger: logger).collect()
            if !seen.isEmpty { return (IngestOutcome(accepted: 0, duplicate: true, rejected: [], unknownCheck: false), false) }

            if let limits = input.limits, !batch.checks.isEmpty {
                try await Self.enforce(limits, connection, input, logger: logger)
            }
            let moved = try await Self.upsertChecks(
                connection, batch.checks, agentID: input.agentID, sessionID: batch.sessionID, nowMs: input.receivedMs, logger: logger
            )
            // A check that moved to another service takes its history along: both services' outages are
            // derived again over their whole history, as history (only what is still going on alerts).
            try await Self.markChanged(connection, moved, nowMs: OutageChange.historyMarkMs, logger: logger)
            let plan = IngestPlan(input, sessionChecks: try await Self.sessionChecks(connection, agentID: input.agentID, sessionID: batch.sessionID, logger: logger))
            let changes = try await Self.fold(connection, plan, feed: self.outageFeed, logger: logger)
            try await Self.writeRollups(connection, plan.rollups, logger: logger)
            try await Self.markChanged(connection, changes, nowMs: input.receivedMs, logger: logger)
            try await connection.query("""
                WITH stored AS (
                    INSERT INTO raw_batches (agent_id, session_id, seq, received_ms, content_type, content_encoding, body, heartbeats, accepted,
                        oldest_accepted_ms, newest_accepted_ms, minutes_indexed, refused_checks)
                    VALUES (\(input.agentID), \(batch.sessionID), \(seq), \(input.receivedMs), \(input.contentType), \(input.contentEncoding),
                        \(ByteBuffer(bytes: input.rawBody)), \(Int64(batch.heartbeats.count)), \(Int64(plan.accepted)),
                        \(input.oldestAcceptedMs), \(input.newestAcceptedMs), true, \(plan.refusedChecksText))
                ), indexed AS (
                    INSERT INTO raw_batch_minutes (minute_ms, agent_id, session_id, seq)
                    SELECT m, \(input.agentID), \(batch.sessionID), \(seq) FROM UNNEST(\(plan.minutes.sorted())::BIGINT[]) AS m
                    ON CONFLICT DO NOTHING
                )
                UPDATE agents SET last_seen_ms = \(input.receivedMs), agent_version = \(batch.agentVersion), session_id = \(batch.sessionID),
                    batches = batches + 1, heartbeats = heartbeats + \(Int64(plan.accepted)), dropped = dropped + \(Int64(clamping: batch.dropped)),
                    last_heartbeat_ms = GREATEST(last_heartbeat_ms, \(plan.newestMs)),
                    clock_offset_ms = COALESCE(\(input.clockOffsetMs)::BIGINT, clock_offset_ms),
                    clock_adjust_ms = CASE WHEN \(input.clockAdjustMs)::BIGINT IS NOT NULL
                        AND \(plan.newestMs)::BIGINT >= COALESCE(last_heartbeat_ms, \(plan.newestMs)::BIGINT)
                        THEN \(input.clockAdjustMs)::BIGINT ELSE clock_adjust_ms END
                WHERE id = \(input.agentID)
                """, logger: logger)
            return (plan.outcome, !changes.isEmpty)
        }
        if changed { outageFeed.raiseChanged() }
        return outcome
    }

    /// Refuses the batch when its definitions would pass a limit (issue 19). The agent's row is locked,
    /// so one agent's batches are measured one after another; two agents adding services at once may
    /// each pass the collector-wide limit by the other's services (it bounds growth, not an exact count).
    private static func enforce(_ limits: DefinitionLimits, _ connection: PostgresConnection, _ input: IngestBatch, logger: Logger) async throws {
        var agentChecks: [String: String] = [:]
        var agentName = "\(input.agentID)"
        for try await (name, service) in try await connection.query(
            "SELECT name, service FROM checks WHERE agent_id = \(input.agentID)", logger: logger
        ).decode((String, String).self) {
            agentChecks[name] = service
        }
        for try await name in try await connection.query("SELECT name FROM agents WHERE id = \(input.agentID)", logger: logger).decode(String.self) {
            agentName = name
        }
        let candidates = Array(DefinitionLimits.candidateServices(definitions: input.batch.checks, agentChecks: agentChecks))
        var known: Set<String> = []
        var allServices = 0
        if !candidates.isEmpty {
            for try await service in try await connection.query(
                "SELECT DISTINCT service FROM checks WHERE service = ANY(\(candidates)::TEXT[])", logger: logger
            ).decode(String.self) {
                known.insert(service)
            }
            for try await count in try await connection.query("SELECT COUNT(DISTINCT service) FROM checks", logger: logger).decode(Int64.self) {
                allServices = Int(count)
            }
        }
        let usage = DefinitionLimits.usage(definitions: input.batch.checks, agentChecks: agentChecks, allServices: allServices, knownCandidates: known)
        if let reason = limits.refusal(usage, agent: agentName) { throw StoreError(.limitExceeded, reason) }
    }

    /// Creates or updates the batch's check definitions and maps them for the session; returns the
    /// services of checks that moved to another, old and new, each from the start of history.
    private static func upsertChecks(
        _ connection: PostgresConnection, _ checks: [CheckDefinition], agentID: Int64, sessionID: String, nowMs: Int64, logger: Logger
    ) async throws -> [String: Int64] {
        guard !checks.isEmpty else { return [:] }
        var moved: [String: Int64] = [:]
        let wanted = Dictionary(checks.map { ($0.name, $0.service) }, uniquingKeysWith: { $1 })
        let previous = try await connection.query(
            "SELECT name, service FROM checks WHERE agent_id = \(agentID) AND name = ANY(\(checks.map(\.name))::TEXT[])", logger: logger
        )
        for try await (name, service) in previous.decode((String, String).self) where wanted[name] != service {
            moved[service] = OutageTracker.everything.startMs
            moved[wanted[name]!] = OutageTracker.everything.startMs
        }
        try await connection.query("""
            WITH defined AS (
                INSERT INTO checks (agent_id, name, local_id, service, kind, target, interval_ms, timeout_ms, updated_ms)
                SELECT \(agentID), * , \(nowMs) FROM UNNEST(\(checks.map(\.name))::TEXT[], \(checks.map { Int64($0.id) })::BIGINT[],
                    \(checks.map(\.service))::TEXT[], \(checks.map(\.kind))::TEXT[], \(checks.map(\.target))::TEXT[],
                    \(checks.map { Int64($0.intervalMs) })::BIGINT[], \(checks.map { Int64($0.timeoutMs) })::BIGINT[])
                ON CONFLICT (agent_id, name) DO UPDATE SET
                    local_id = excluded.local_id, service = excluded.service, kind = excluded.kind, target = excluded.target,
                    interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms, updated_ms = excluded.updated_ms
                RETURNING id, local_id
            )
            INSERT INTO session_checks (agent_id, session_id, local_id, check_id)
            SELECT \(agentID), \(sessionID), local_id, id FROM defined
            ON CONFLICT (agent_id, session_id, local_id) DO UPDATE SET check_id = excluded.check_id
            """, logger: logger)
        return moved
    }

    private static func sessionChecks(
        _ connection: PostgresConnection, agentID: Int64, sessionID: String, logger: Logger
    ) async throws -> [UInt32: IngestPlan.SessionCheck] {
        var map: [UInt32: IngestPlan.SessionCheck] = [:]
        let rows = try await connection.query("""
            SELECT session_checks.local_id, checks.id, checks.interval_ms, checks.timeout_ms, checks.service FROM session_checks
            JOIN checks ON checks.id = session_checks.check_id
            WHERE session_checks.agent_id = \(agentID) AND session_checks.session_id = \(sessionID)
            """, logger: logger)
        for try await (localID, id, interval, timeout, service) in rows.decode((Int64, Int64, Int64, Int64, String).self) {
            map[UInt32(truncatingIfNeeded: localID)] = .init(id: id, intervalMs: interval, timeoutMs: timeout, service: service)
        }
        return map
    }
}
