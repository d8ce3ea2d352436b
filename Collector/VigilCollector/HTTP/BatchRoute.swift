import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilCore
import VigilWire

/// `POST /v1/batches`: authenticate, inflate within the limit while the body streams in, decode, store
/// once per (agent, session, seq), and answer `{"acked_through": seq}`.
struct BatchRoute: Sendable {
    let store: any IngestStore
    let authenticator: Authenticator
    let configuration: CollectorConfiguration
    /// Memory all batch requests may hold together; past it they are answered 503.
    let budget: IngestBudget
    /// Batches per agent and second; `nil` when not limited.
    let rateLimiter: AgentRateLimiter?
    /// Where outcomes and timings are counted.
    let metrics: CollectorMetrics
    /// Whether the store takes writes: a stored batch says it does.
    let storeHealth: StoreHealth
    /// Definitions refused for scope per agent session, and the (agent, service) pairs already logged.
    let scopeMemory = ScopeMemory()

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let (response, outcome) = try await store(request, context: context)
            if !outcome.duplicate { storeHealth.succeeded(nowMs: WallClock.nowMs()) }
            metrics.stored(
                accepted: outcome.accepted, refused: outcome.rejected.count, outOfScope: outcome.outOfScope.values.reduce(0, +),
                duplicate: outcome.duplicate, took: .now - started
            )
            return response
        } catch let error as APIError {
            metrics.failed(code: error.code, took: .now - started)
            throw error
        } catch let error as StoreError {
            metrics.failed(code: error.code == .unavailable ? "store_unavailable" : error.code.rawValue, took: .now - started)
            throw error
        } catch {
            metrics.failed(code: "error", took: .now - started)
            throw error
        }
    }

    /// `X-Vigil-Sent-At`: the agent's stamping clock when it sent the request, ms since the epoch.
    static let sentAtField = HTTPField.Name("X-Vigil-Sent-At")!

    private func store(_ request: Request, context: some RequestContext) async throws -> (Response, IngestOutcome) {
        let agent = try await authenticator.agent(request)
        if let rateLimiter, let wait = rateLimiter.admit(agent: agent.id) {
            throw Self.rateLimited(agent: agent.name, wait: wait, limit: rateLimiter.limit)
        }
        let format: ContentFormat
        let encoding: ContentEncoding
        do {
            format = try ContentFormat(contentType: request.headers[.contentType])
            encoding = try ContentEncoding(header: request.headers[.contentEncoding])
        } catch {
            throw APIError(error)
        }
        let share = budget.open()
        defer { share.finish() }
        let (raw, body) = try await readBody(request, encoding: encoding, share: share)
        var batch: Batch
        do {
            batch = try BatchCodec.decode(body, format: format)
            try Self.validate(&batch)
        } catch {
            throw APIError(error)
        }

        let now = WallClock.nowMs()
        let newestAccepted = now + configuration.maxClockSkewMs
        // A backwards step of the agent's wall clock must not move its heartbeats into the past.
        let clock = ClockCorrection(correcting: &batch.heartbeats, newestAcceptedMs: newestAccepted)
        if clock.moved > 0 {
            context.logger.notice("heartbeats stamped after the agent's clock was set back were placed on its monotonic clock", metadata: [
                "agent": "\(agent.name)", "heartbeats": "\(clock.moved)", "clock_adjust_ms": "\(clock.newestAdjustMs ?? 0)",
            ])
        }
        let sentAt = request.headers[Self.sentAtField].flatMap { Int64($0) }
        var input = IngestBatch(
            agentID: agent.id, batch: batch, rawBody: raw, contentType: format.rawValue,
            contentEncoding: encoding.rawValue, receivedMs: now,
            oldestAcceptedMs: now - configuration.retentionMs, newestAcceptedMs: newestAccepted,
            clockOffsetMs: sentAt.map { $0 &- now }, clockAdjustMs: clock.newestAdjustMs
        )
        input.limits = configuration.limits
        if agent.scope != nil || !configuration.catalog.reporters.isEmpty {
            let permission = ReportingPermission(agent: agent.name, scope: agent.scope, reporters: configuration.catalog.reporters)
            input.permission = permission
            // Definitions the agent may not make are not stored (no service appears for them); their
            // heartbeats, in this batch and the session's later ones, are refused with the reason.
            var refused = scopeMemory.refused(agent: agent.id, session: batch.sessionID)
            let before = refused
            input.batch.checks.removeAll { definition in
                guard let reason = permission.refusal(definition.service) else {
                    refused[definition.id] = nil
                    return false
                }
                refused[definition.id] = RefusedDefinition(service: definition.service, reason: reason)
                return true
            }
            if refused != before { scopeMemory.remember(refused, agent: agent.id, session: batch.sessionID) }
            input.refusedDefinitions = refused
        }
        let outcome = try await store.ingest(input)
        for (service, count) in outcome.outOfScope.sorted(by: { $0.key < $1.key }) where scopeMemory.firstRefusal(agent: agent.id, service: service) {
            context.logger.warning("refused heartbeats for a service the agent may not report (logged once per agent and service)", metadata: [
                "agent": "\(agent.name)", "service": "\(service)", "count": "\(count)",
                "reason": "\(input.permission?.refusal(service) ?? "")",
            ])
        }
        if !outcome.rejected.isEmpty {
            context.logger.warning("refused heartbeats", metadata: [
                "agent": "\(agent.name)", "count": "\(outcome.rejected.count)", "first": "\(outcome.rejected[0].reason)",
            ])
        }
        let ack = JSONBody.response(BatchAck(
            ackedThrough: batch.seq, accepted: outcome.accepted, duplicate: outcome.duplicate,
            rejected: outcome.rejected, resendChecks: outcome.unknownCheck
        ))
        return (ack, outcome)
    }

    /// Reads the body, inflating as it arrives and stopping at the limit: returns the bytes as received
    /// and the decoded bytes.
    /// Every byte received and inflated is taken from the request's `share` of the ingest budget first.
    private func readBody(_ request: Request, encoding: ContentEncoding, share: IngestBudget.Share) async throws -> (raw: [UInt8], body: [UInt8]) {
        let limit = configuration.maxBodyBytes
        // A compressed stream can be a little larger than its content; allow for the framing.
        let rawLimit = encoding == .identity ? limit : limit + limit / 64 + 1024
        var raw: [UInt8] = []
        let inflater = try encoding.zlibFormat.map { format throws(CompressionError) in try Inflater(format: format, limit: limit) }
        do {
            for try await chunk in request.body {
                if raw.count + chunk.readableBytes > rawLimit {
                    throw tooLarge("body exceeds the limit of \(rawLimit) bytes")
                }
                try share.take(chunk.readableBytes)
                raw.append(contentsOf: chunk.readableBytesView)
                if let inflater {
                    let before = inflater.output.count
                    try chunk.withUnsafeReadableBytes { bytes throws(CompressionError) in try inflater.update(bytes) }
                    try share.take(inflater.output.count - before)
                }
            }
            guard let inflater else { return (raw, raw) }
            return (raw, try inflater.finish())
        } catch let error as CompressionError {
            if error.code == .limitExceeded {
                throw tooLarge("inflated body exceeds the limit of \(limit) bytes")
            }
            throw APIError(BatchCodec.wireError(for: error, encoding: encoding))
        }
    }

    /// `429 rate_limited` with `Retry-After` in whole seconds (at least 1).
    static func rateLimited(agent: String, wait: Duration, limit: AgentRateLimit) -> APIError {
        var error = APIError(
            .tooManyRequests, code: "rate_limited",
            "agent \(agent) is sending more than \(limit.requestsPerSecond) batches a second (burst \(limit.burst)): retry later"
        )
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        error.headers[.retryAfter] = "\(max(1, Int(seconds.rounded(.up))))"
        // The body is not read: close the connection rather than drain it.
        error.headers[.connection] = "close"
        return error
    }

    private func tooLarge(_ message: String) -> APIError {
        var error = APIError(.contentTooLarge, code: WireError.Code.bodyTooLarge.rawValue, message)
        // The rest of the body is not read: close the connection rather than drain it.
        error.headers[.connection] = "close"
        return error
    }
}
