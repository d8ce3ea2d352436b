import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers the outbox to the hooks: retries with exponential backoff and full jitter (1 s doubling to
/// `retryMaxDelay`, 5 min by default) until `maxAge`, then marks the delivery failed. Every attempt of one delivery carries the same
/// `X-Vigil-Delivery` id: a crash between a send and its record repeats that delivery once, and receivers
/// drop an id they have already seen.
struct AlertDispatcher: Service {
    let store: any AlertStore
    let settings: AlertSettings
    let logger: Logger
    /// Time between looks at the outbox. Default 500 ms.
    var every: Duration = .milliseconds(500)
    /// Deliveries are made only while this replica leads. Default: always (a lone collector).
    var leadership = Leadership(leading: true)
    /// Raised when outages put alerts in the outbox: the next look comes within 50 ms, not `every`.
    var wake: OutageFeed?

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var last = clock.now - every
            while !Task.isCancelled {
                if wake?.takeAlerted() == true || clock.now - last >= every {
                    last = clock.now
                    do {
                        if leadership.isLeader { try await deliverDue(nowMs: WallClock.nowMs()) }
                    } catch {
                        if !Task.isCancelled { logger.error("alert delivery pass failed", metadata: ["error": "\(error)"]) }
                    }
                }
                try await Task.sleep(for: wake == nil ? every : .milliseconds(50))
            }
        }
    }

    func deliverDue(nowMs: Int64) async throws {
        let hooks = Dictionary(settings.hooks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for delivery in try await store.dueDeliveries(nowMs: nowMs, limit: 100) {
            guard let hook = hooks[delivery.hook] else {
                try await store.recordAttempt(
                    alertID: delivery.alertID, hook: delivery.hook, state: .failed, error: "hook no longer in the config",
                    nextAttemptMs: nowMs, nowMs: nowMs
                )
                continue
            }
            let (delivered, answer) = await send(delivery, to: hook)
            let error: String? = delivered ? nil : answer
            let now = WallClock.nowMs()
            if error == nil {
                try await store.recordAttempt(alertID: delivery.alertID, hook: hook.name, state: .delivered, error: "", nextAttemptMs: now, nowMs: now)
            } else if now - delivery.alertCreatedMs >= settings.maxAgeMs {
                logger.error("alert delivery failed for good", metadata: ["hook": "\(hook.name)", "delivery": "\(delivery.deliveryID)", "error": "\(error!)"])
                try await store.recordAttempt(alertID: delivery.alertID, hook: hook.name, state: .failed, error: error!, nextAttemptMs: now, nowMs: now)
            } else {
                let cap = min(settings.retryMaxDelayMs, Int64(1_000) << min(delivery.attempts, 20))
                let wait = Int64.random(in: 0...cap)
                logger.warning("alert delivery will be retried", metadata: ["hook": "\(hook.name)", "delivery": "\(delivery.deliveryID)", "error": "\(error!)"])
                try await store.recordAttempt(alertID: delivery.alertID, hook: hook.name, state: .pending, error: error!, nextAttemptMs: now + wait, nowMs: now)
            }
        }
    }

    /// Hands the event to the hook: delivered on a 2xx answer (webhook, chat) or exit 0 (command); the
    /// answer is `HTTP <status>`, `exit <code>` or what went wrong.
    func send(_ delivery: PendingDelivery, to hook: HookConfiguration) async -> (delivered: Bool, answer: String) {
        switch hook.kind {
        case .command(let argv):
            return await CommandHook.run(argv: argv, body: delivery.body, delivery: delivery.deliveryID, timeoutMs: hook.timeoutMs)
        case .chat:
            return await post(AlertBody.chatText(delivery.body), delivery: delivery, to: hook)
        case .webhook:
            return await post(delivery.body, delivery: delivery, to: hook)
        }
    }

    func post(_ body: String, delivery: PendingDelivery, to hook: HookConfiguration) async -> (delivered: Bool, answer: String) {
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil-collector")
        request.headers.add(name: "X-Vigil-Delivery", value: delivery.deliveryID)
        if let secret = hook.secret {
            request.headers.add(name: "X-Vigil-Signature", value: AlertBody.signature(body: body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(hook.timeoutMs))
            _ = try? await response.body.collect(upTo: 64 << 10)
            return ((200..<300).contains(Int(response.status.code)), "HTTP \(response.status.code)")
        } catch {
            return (false, "\(error)")
        }
    }
}
