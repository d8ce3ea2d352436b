import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sits in each connection's pipeline after HTTP decoding and carries out ``ConnectionState``'s actions:
/// admits the connection through the ``ConnectionGate``, times each request from its head to its end,
/// and answers 503 or 408 itself, closing the connection after. Idle connections (and request heads
/// that never complete) are closed by Hummingbird's idle timeout, set from the same limits.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let gate: ConnectionGate
    private var machine = ConnectionState(admitted: true)
    private var entered = false
    private var requestTimer: Scheduled<Void>?
    private var headTimer: Scheduled<Void>?

    init(gate: ConnectionGate) {
        self.gate = gate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func admit(context: ChannelHandlerContext) {
        guard !entered else { return }
        entered = true
        switch gate.enter() {
        case .admitted:
            machine = ConnectionState(admitted: true)
        case .overLimit(let headTimeoutMs):
            machine = ConnectionState(admitted: false)
            headTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(headTimeoutMs)) {
                self.perform(self.machine.headTimerFired(), context: context)
            }
        }
    }

    private func release() {
        requestTimer?.cancel()
        headTimer?.cancel()
        requestTimer = nil
        headTimer = nil
        if entered {
            entered = false
            gate.leave()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        let action: ConnectionState.Action
        switch part {
        case .head(let request):
            headTimer?.cancel()
            headTimer = nil
            action = machine.head(method: request.method.rawValue, path: request.path ?? "")
        case .body:
            action = machine.body()
        case .end:
            action = machine.end()
        }
        perform(action, context: context, part: part)
    }

    private func perform(_ action: ConnectionState.Action, context: ChannelHandlerContext, part: HTTPRequestPart? = nil) {
        switch action {
        case .forward:
            if let part { context.fireChannelRead(wrapInboundOut(part)) }
        case .forwardAndStartTimer:
            requestTimer?.cancel()
            requestTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(gate.limits.requestTimeoutMs)) {
                self.perform(self.machine.requestTimerFired(), context: context)
            }
            if let part { context.fireChannelRead(wrapInboundOut(part)) }
        case .forwardAndStopTimer:
            requestTimer?.cancel()
            requestTimer = nil
            if let part { context.fireChannelRead(wrapInboundOut(part)) }
        case .drop, .none:
            break
        case .refuse:
            gate.turnedAway("too_many_connections")
            answer(
                context: context, status: .serviceUnavailable, code: "too_many_connections",
                message: "the collector is serving its maximum of \(gate.max) connections (connections.max): retry later", retryAfter: true
            )
        case .timeOut:
            gate.turnedAway("request_timeout")
            answer(
                context: context, status: .requestTimeout, code: "request_timeout",
                message: "the request did not arrive whole within \(gate.limits.requestTimeoutMs) ms (connections.request_timeout)", retryAfter: false
            )
        case .close:
            gate.turnedAway("too_many_connections")
            context.close(promise: nil)
        }
    }

    /// Writes a complete JSON error answer and closes the connection once it is written.
    private func answer(context: ChannelHandlerContext, status: HTTPResponse.Status, code: String, message: String, retryAfter: Bool) {
        requestTimer?.cancel()
        requestTimer = nil
        let body = ByteBuffer(string: #"{"error":{"code":"\#(code)","message":"\#(message)"}}"#)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = "\(body.readableBytes)"
        fields[.connection] = "close"
        if retryAfter { fields[.retryAfter] = "1" }
        let channel = context.channel
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), machine.closesAfterResponse else {
            context.write(data, promise: promise)
            return
        }
        // A health check served past the limit: its connection closes once the answer is written.
        let channel = context.channel
        context.writeAndFlush(data).whenComplete { result in
            promise?.completeWith(result)
            channel.close(promise: nil)
        }
    }
}
