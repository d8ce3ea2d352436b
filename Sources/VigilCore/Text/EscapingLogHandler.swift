import Logging

/// The log handler of Vigil's processes: swift-log's `StreamLogHandler` on standard error, with every
/// message and metadata value passed through ``Escaping/terminal(_:)`` first.
///
/// Log lines carry text others chose: service and check names from agents, TCP banners and error
/// messages from probed servers. Unescaped, a newline in a name forges a whole log line for whoever
/// reads or ships the log, and an escape sequence reaches the operator's terminal. This is the log's one
/// escaping layer; call sites log names as they are.
public struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler

    /// A handler writing to standard error, as `LoggingSystem.bootstrap` wants it.
    public init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    /// A handler escaping what it passes on to `inner`.
    public init(wrapping inner: any LogHandler) {
        self.inner = inner
    }

    /// Makes every logger of the process use this handler. Call once, first thing in `main`.
    public static func bootstrap() {
        LoggingSystem.bootstrap { label in EscapingLogHandler(label: label) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escaped(newValue) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue.map { provider in Logger.MetadataProvider { Self.escaped(provider.get()) } } }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: Escaping.terminal(key)] = newValue.map(Self.escaped) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: Escaping.terminal(event.message.description))
        event.metadata = event.metadata.map(Self.escaped)
        inner.log(event: event)
    }

    /// Metadata with its keys and values escaped.
    public static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { (Escaping.terminal($0.key), escaped($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    /// A metadata value escaped, nested values and all.
    public static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(Escaping.terminal(text))
        case .stringConvertible(let convertible): .string(Escaping.terminal(convertible.description))
        case .array(let values): .array(values.map(escaped))
        case .dictionary(let metadata): .dictionary(escaped(metadata))
        }
    }
}
