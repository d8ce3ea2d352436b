import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the listener's certificate and key on SIGHUP, logging what happened either way.
struct TLSReloader: Service {
    let contexts: TLSContextHolder
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try contexts.reload()
                    logger.notice("reloaded the TLS certificate", metadata: ["cert_file": "\(contexts.settings.certificateFile)"])
                } catch {
                    logger.error("kept the previous TLS certificate: the new files do not load", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
