import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import VigilCore
import VigilWire

/// Ships heartbeats to the collector in order, one batch at a time (DESIGN §4).
///
/// A batch is built when enough heartbeats wait or the oldest has waited long enough, or empty when
/// nothing was sent for the liveness interval. It is retried with identical bytes until the collector
/// acknowledges it; seq numbers are assigned when a batch is first built, so a 413 split keeps them
/// ascending. On graceful shutdown it ships what is queued, for a bounded time.
struct Shipper: Sendable {
    let configuration: AgentConfiguration
    let queue: OutboundQueue
    let client: HTTPClient
    let definitions: [CheckDefinition]
    let sessionID: String
    let logger: Logger
    /// How long the final flush may take on shutdown.
    var flushTimeout: Duration = .seconds(5)

    /// The shipper's own mutable state, kept in one place.
    private struct State {
        var nextSeq: UInt64 = 1
        var sendChecks = true
        var carry: [Heartbeat] = []
        var lastShipped = ContinuousClock.now
        var backoff = Backoff()
        var lastUnauthorizedLog: ContinuousClock.Instant?
    }

    func run() async {
        var state = State()
        let clock = ContinuousClock()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if await isReady(state, now: clock.now) {
                await shipOne(&state, deadline: nil)
            } else {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        // Graceful shutdown: flush what is queued, within the flush timeout.
        let deadline = clock.now + flushTimeout
        while !Task.isCancelled, clock.now < deadline {
            let waiting = await queue.count
            if state.carry.isEmpty && waiting == 0 { break }
            await shipOne(&state, deadline: deadline)
        }
        let left = await queue.count + state.carry.count
        if left > 0 {
            logger.warning("stopping with heartbeats not delivered", metadata: ["count": "\(left)"])
        }
    }

    private func isReady(_ state: State, now: ContinuousClock.Instant) async -> Bool {
        if !state.carry.isEmpty { return true }
        let waiting = await queue.count
        if waiting >= configuration.batchMaxHeartbeats { return true }
        if waiting > 0, let age = await queue.oldestAge(now: now), age >= .milliseconds(configuration.batchMaxDelayMs) {
            return true
        }
        return now - state.lastShipped >= .milliseconds(configuration.livenessIntervalMs)
    }

    /// Builds the next batch and delivers it, retrying until it is acknowledged, refused, or the
    /// deadline passes (then its heartbeats are kept for the next attempt).
    private func shipOne(_ state: inout State, deadline: ContinuousClock.Instant?) async {
        var heartbeats: [Heartbeat]
        var dropped: UInt64 = 0
        if state.carry.isEmpty {
            (heartbeats, dropped) = await queue.take(max: configuration.batchMaxHeartbeats)
        } else {
            heartbeats = state.carry
            state.carry = []
        }
        while true {
            let batch = Batch(
                sessionID: sessionID, seq: state.nextSeq, agentVersion: VigilVersion.current, dropped: dropped,
                checks: state.sendChecks ? definitions : [], heartbeats: heartbeats
            )
            let body = BatchCodec.encodeForShipping(batch)
            let result = await send(body)
            switch result {
            case .acked(let ack):
                state.nextSeq += 1
                state.sendChecks = ack.resendChecks
                state.lastShipped = .now
                state.backoff.reset()
                if !ack.rejected.isEmpty {
                    logger.warning("collector refused heartbeats", metadata: [
                        "count": "\(ack.rejected.count)", "first": "\(ack.rejected[0].reason)",
                    ])
                }
                logger.debug("batch acknowledged", metadata: ["seq": "\(batch.seq)", "heartbeats": "\(heartbeats.count)"])
                return
            case .rejected(let message):
                logger.error("collector refused a batch; dropping it", metadata: [
                    "seq": "\(batch.seq)", "heartbeats": "\(heartbeats.count)", "reason": "\(message)",
                ])
                state.nextSeq += 1
                await queue.reportLost(heartbeats.count)
                await queue.restoreDropped(dropped)
                return
            case .tooLarge where heartbeats.count > 1:
                let half = heartbeats.count / 2
                state.carry = Array(heartbeats[half...]) + state.carry
                heartbeats = Array(heartbeats[..<half])
                logger.notice("collector said the batch is too large; splitting it", metadata: ["heartbeats": "\(heartbeats.count * 2)"])
                continue
            case .tooLarge:
                logger.error("collector refuses even a single heartbeat as too large; dropping it", metadata: ["seq": "\(batch.seq)"])
                state.nextSeq += 1
                await queue.reportLost(heartbeats.count)
                return
            case .unauthorized(let message):
                let now = ContinuousClock.now
                if state.lastUnauthorizedLog.map({ now - $0 > .seconds(60) }) ?? true {
                    logger.critical("collector rejected this agent's token: shipping stopped until it is fixed", metadata: [
                        "collector": "\(configuration.collectorURL)", "answer": "\(message)",
                    ])
                    state.lastUnauthorizedLog = now
                }
                if await !pause(milliseconds: 60_000, deadline: deadline) { return await keep(heartbeats, dropped, &state) }
            case .retry(let reason, let retryAfterMs):
                let delay = retryAfterMs ?? state.backoff.nextDelayMs()
                logger.warning("shipping failed; will retry", metadata: ["reason": "\(reason)", "retry_in_ms": "\(delay)"])
                if await !pause(milliseconds: delay, deadline: deadline) { return await keep(heartbeats, dropped, &state) }
            }
        }
    }

    /// Keeps an undelivered batch's heartbeats (and its drop count) for the next attempt.
    private func keep(_ heartbeats: [Heartbeat], _ dropped: UInt64, _ state: inout State) async {
        state.carry = heartbeats + state.carry
        await queue.restoreDropped(dropped)
    }

    /// Waits, returning `false` when the wait was cut short by shutdown, cancellation or the deadline.
    private func pause(milliseconds: Int64, deadline: ContinuousClock.Instant?) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(milliseconds)
        while clock.now < end {
            if Task.isCancelled { return false }
            if let deadline, clock.now >= deadline { return false }
            if deadline == nil && Task.isShuttingDownGracefully { return false }
            try? await Task.sleep(for: min(.milliseconds(50), end - clock.now))
        }
        return true
    }

    private func send(_ body: [UInt8]) async -> ShipResult {
        var request = HTTPClientRequest(url: configuration.collectorURL + "/v1/batches")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: ContentFormat.protobuf.rawValue)
        request.headers.add(name: "Content-Encoding", value: "deflate")
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.token)")
        request.headers.add(name: "User-Agent", value: "vigil-agent/\(VigilVersion.current) (\(configuration.name))")
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
