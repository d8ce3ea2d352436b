import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import VigilCore
import VigilWire

/// Ships spooled heartbeats to the collector in order, one batch at a time (DESIGN §4).
///
/// A batch is built when enough heartbeats wait or the oldest has waited long enough, or empty when
/// nothing was sent for the liveness interval. It is persisted in the spool before its first send and
/// retried with identical bytes until the collector acknowledges it, across restarts too, so the
/// collector's (agent, session, seq) dedupe makes delivery exactly-once. On graceful shutdown it ships
/// what is spooled, for a bounded time; what is left stays in the spool for the next start.
struct Shipper: Sendable {
    /// Collectors, token, batching and check definitions, as the last (re)load left them.
    let settings: LiveSettings
    let spool: Spool
    let client: HTTPClient
    let sessionID: String
    let logger: Logger
    var metrics: AgentMetrics?
    /// The stamping clock, read into `X-Vigil-Sent-At` on every attempt so the collector can show the
    /// agent's clock offset.
    var clock = StampClock()
    /// How long the final flush may take on shutdown.
    var flushTimeout: Duration = .seconds(5)

    /// The shipper's own mutable state, kept in one place.
    private struct State {
        var nextSeq: UInt64 = 1
        /// Session-local check ids by name.
        var ids: [String: UInt32] = [:]
        /// Checks whose definitions the collector holds for this session.
        var defined: Set<String> = []
        /// Largest batch to build; halved on 413 until a batch gets through.
        var sizeLimit: Int
        var lastShipped = ContinuousClock.now
        var backoff = Backoff()
        var lastUnauthorizedLog: ContinuousClock.Instant?
        /// Which collector URL is in use.
        var collector = 0
        /// Failures in a row on the current round through the collector URLs.
        var failedCollectors = 0
    }

    /// The configuration in force right now.
    private var configuration: AgentConfiguration { settings.configuration }

    func run() async {
        var state = State(sizeLimit: configuration.batchMaxHeartbeats)
        let clock = ContinuousClock()
        var lastGauge = clock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await spool.syncIfDue()
            if let metrics, clock.now - lastGauge >= .seconds(1) {
                metrics.spool(bytes: await spool.totalBytes, pending: await spool.pendingCount)
                lastGauge = clock.now
            }
            if await spool.inflight != nil {
                _ = await deliver(&state, deadline: nil)
            } else if await isReady(state, now: clock.now) {
                if await build(&state) { _ = await deliver(&state, deadline: nil) }
            } else {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        // Graceful shutdown: ship what is spooled, within the flush timeout.
        let deadline = clock.now + flushTimeout
        while !Task.isCancelled, clock.now < deadline {
            if await spool.inflight == nil {
                guard await spool.pendingCount > 0, await build(&state) else { break }
            }
            if await !deliver(&state, deadline: deadline) { break }
        }
        await spool.sync()
        let left = await spool.pendingCount + (await spool.inflight?.count ?? 0)
        if left > 0 {
            logger.notice("stopping with heartbeats still spooled; they are sent on the next start", metadata: ["count": "\(left)"])
        }
    }

    private func isReady(_ state: State, now: ContinuousClock.Instant) async -> Bool {
        let waiting = await spool.pendingCount
        if waiting >= state.sizeLimit { return true }
        if waiting > 0, let age = await spool.pendingAge(now: now), age >= .milliseconds(configuration.batchMaxDelayMs) {
            return true
        }
        return now - state.lastShipped >= .milliseconds(configuration.livenessIntervalMs)
    }

    /// Builds the next batch from the spool and persists it as the in-flight batch.
    private func build(_ state: inout State) async -> Bool {
        do {
            let start = await spool.readPosition
            let (records, end) = try await spool.peek(max: state.sizeLimit)
            let dropped = await spool.unreportedDrops
            var heartbeats: [Heartbeat] = []
            heartbeats.reserveCapacity(records.count)
            var definitions: [CheckDefinition] = []
            var defining: Set<String> = []
            // A reload that changed a check's definition means the collector must hear it again.
            state.defined.subtract(settings.takeChanged())
            for record in records {
                let id = state.ids[record.checkName] ?? {
                    let next = UInt32(state.ids.count + 1)
                    state.ids[record.checkName] = next
                    return next
                }()
                if !state.defined.contains(record.checkName) && defining.insert(record.checkName).inserted {
                    var definition = settings.definition(record.checkName)
                        ?? CheckDefinition(id: 0, name: record.checkName, service: record.checkName, kind: "unknown", target: "", intervalMs: 30_000)
                    definition.id = id
                    definitions.append(definition)
                }
                heartbeats.append(Heartbeat(
                    check: id, timestampMs: record.timestampMs, status: record.status,
                    latencyUs: record.latencyUs, code: record.code, message: record.message, clockAdjustMs: record.clockAdjustMs
                ))
            }
            let batch = Batch(
                sessionID: sessionID, seq: state.nextSeq, agentVersion: VigilVersion.current, dropped: dropped,
                checks: definitions, heartbeats: heartbeats
            )
            try await spool.setInflight(InflightBatch(
                sessionID: sessionID, seq: state.nextSeq, start: start, end: end, count: records.count, dropped: dropped,
                definedChecks: definitions.map(\.name), body: BatchCodec.encodeForShipping(batch)
            ))
            state.nextSeq += 1
            return true
        } catch {
            logger.error("cannot build a batch from the spool", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
            return false
        }
    }

    /// Sends the in-flight batch until it is acknowledged or refused for good (`true`), or until
    /// shutdown, cancellation or the deadline cut it short (`false`; it stays in the spool).
    private func deliver(_ state: inout State, deadline: ContinuousClock.Instant?) async -> Bool {
        guard let batch = await spool.inflight else { return true }
        while true {
            let result = await send(batch.body, to: configuration.collectorURLs[state.collector])
            do {
                switch result {
                case .acked(let ack):
                    try await spool.commitInflight()
                    metrics?.acked(heartbeats: batch.count - ack.rejected.count)
                    metrics?.dropped(Int(batch.dropped) + ack.rejected.count)
                    if batch.sessionID == sessionID {
                        if ack.resendChecks { state.defined = [] } else { state.defined.formUnion(batch.definedChecks) }
                    }
                    state.lastShipped = .now
                    state.backoff.reset()
                    state.failedCollectors = 0
                    state.sizeLimit = configuration.batchMaxHeartbeats
                    if !ack.rejected.isEmpty {
                        logger.warning("collector refused heartbeats", metadata: [
                            "count": "\(ack.rejected.count)", "first": "\(ack.rejected[0].reason)",
                        ])
                    }
                    logger.debug("batch acknowledged", metadata: ["seq": "\(batch.seq)", "heartbeats": "\(batch.count)"])
                    return true
                case .rejected(let message):
                    metrics?.shipError("rejected")
                    logger.error("collector refused a batch; dropping it", metadata: [
                        "seq": "\(batch.seq)", "heartbeats": "\(batch.count)", "reason": "\(message)",
                    ])
                    try await spool.commitInflight(lost: true)
                    return true
                case .tooLarge where batch.count > 1:
                    metrics?.shipError("too_large")
                    logger.notice("collector said the batch is too large; splitting it", metadata: ["heartbeats": "\(batch.count)"])
                    try await spool.returnInflight()
                    state.sizeLimit = max(1, batch.count / 2)
                    return true
                case .tooLarge:
                    logger.error("collector refuses even a single heartbeat as too large; dropping it", metadata: ["seq": "\(batch.seq)"])
                    try await spool.commitInflight(lost: true)
                    return true
                case .unauthorized(let message):
                    metrics?.shipError("unauthorized")
                    let now = ContinuousClock.now
                    if state.lastUnauthorizedLog.map({ now - $0 > .seconds(60) }) ?? true {
                        logger.critical("collector refused this agent (its token, or a limit on checks and services): shipping paused until it is fixed; the spool keeps everything and the agent retries every minute", metadata: [
                            "collector": "\(configuration.collectorURLs[state.collector])", "answer": "\(message)",
                        ])
                        state.lastUnauthorizedLog = now
                    }
                    if await !pause(milliseconds: 60_000, deadline: deadline) { return false }
                case .retry(let reason, let retryAfterMs):
                    metrics?.shipError(retryAfterMs == nil ? "transport" : "busy")
                    let urls = configuration.collectorURLs
                    logger.warning("shipping failed", metadata: ["collector": "\(urls[state.collector])", "reason": "\(reason)"])
                    state.collector = (state.collector + 1) % urls.count
                    state.failedCollectors += 1
                    if state.failedCollectors < urls.count {
                        // Fail over to the next collector at once; back off only after trying them all.
                        logger.notice("failing over", metadata: ["collector": "\(urls[state.collector])"])
                        continue
                    }
                    state.failedCollectors = 0
                    let delay = retryAfterMs ?? state.backoff.nextDelayMs()
                    logger.warning("no collector accepted the batch; will retry", metadata: ["retry_in_ms": "\(delay)"])
                    if await !pause(milliseconds: delay, deadline: deadline) { return false }
                }
            } catch {
                logger.error("spool update failed", metadata: ["error": "\(error)"])
                return false
            }
        }
    }

    /// Waits, returning `false` when the wait was cut short by shutdown, cancellation or the deadline.
    private func pause(milliseconds: Int64, deadline: ContinuousClock.Instant?) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(milliseconds)
        while clock.now < end {
            if Task.isCancelled { return false }
            if let deadline, clock.now >= deadline { return false }
            if deadline == nil && Task.isShuttingDownGracefully { return false }
            await spool.syncIfDue()
            try? await Task.sleep(for: min(.milliseconds(50), end - clock.now))
        }
        return true
    }

    private func send(_ body: [UInt8], to collector: String) async -> ShipResult {
        var request = HTTPClientRequest(url: collector + "/v1/batches")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: ContentFormat.protobuf.rawValue)
        request.headers.add(name: "Content-Encoding", value: "deflate")
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.token)")
        request.headers.add(name: "User-Agent", value: "vigil-agent/\(VigilVersion.current) (\(configuration.name))")
        request.headers.add(name: "X-Vigil-Sent-At", value: String(clock.nowMs()))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let answer = try await response.body.collect(upTo: 1 << 20)
            return .from(
                status: Int(response.status.code), body: Array(answer.readableBytesView),
                retryAfter: response.headers.first(name: "Retry-After")
            )
        } catch {
            return .retry(reason: "\(error)", retryAfterMs: nil)
        }
    }
}
