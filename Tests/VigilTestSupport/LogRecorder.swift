import Logging
import Synchronization

/// Keeps every line logged through its loggers, at every level and with metadata, so a test can look
/// for what must never be logged.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at `trace` that records here.
    public func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { [self] label in Handler(label: label, recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    /// A handler at `trace` that records here, to wrap in another.
    public func handler(_ label: String) -> any LogHandler {
        Handler(label: label, recorder: self)
    }

    /// Everything recorded so far, one line per message.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// How many lines were recorded.
    public var count: Int { lines.withLock { $0.count } }

    fileprivate func record(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let label: String
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
            if let extra = event.metadata { all.merge(extra) { $1 } }
            let error = event.error.map { " error=\($0)" } ?? ""
            recorder.record("\(event.level) \(label): \(event.message) \(all)\(error)")
        }
    }
}
