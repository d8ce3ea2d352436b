import Logging
import NIOSSL
import Synchronization

/// The server TLS context in force, swapped whole on reload. Each new connection takes the current one.
public final class TLSContextHolder: Sendable {
    /// Where the certificate and key come from.
    public let settings: ListenerTLS
    private let current: Mutex<NIOSSLContext>

    /// Loads the files; throws when they do not make a context.
    public init(settings: ListenerTLS) throws(TLSSetupError) {
        self.settings = settings
        current = Mutex(try settings.makeContext())
    }

    /// The context for a connection accepted now.
    public var context: NIOSSLContext { current.withLock { $0 } }

    /// Reads the files again and uses them for new connections. When they do not load (a half-written
    /// certificate, a key that does not match), the old context stays and the error is thrown.
    public func reload() throws(TLSSetupError) {
        let fresh = try settings.makeContext()
        current.withLock { $0 = fresh }
    }
}
