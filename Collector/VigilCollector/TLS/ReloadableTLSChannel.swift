import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// Wraps a child channel in TLS using whatever context ``TLSContextHolder`` holds when the connection is
/// accepted, so a reloaded certificate applies to new connections without a restart. Otherwise the same
/// as HummingbirdTLS's `TLSChannel`.
struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    typealias Value = BaseChannel.Value

    let base: BaseChannel
    let contexts: TLSContextHolder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = contexts.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 inside TLS from `contexts`, reloadable.
    static func reloadableTLS(_ contexts: TLSContextHolder, configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: configuration), contexts: contexts)
        }
    }
}
