import VigilConfig

// What these values print as, wherever they are interpolated or dumped (a `ServiceGroup` logs the services
// it starts, with everything they hold): never a token, a password, a hook secret, or a secret in a URL.

extension HookConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        switch kind {
        case .command(let argv): "hook \(name) (command \(argv.first ?? ""))"
        default: "hook \(name) (\(kind) \(Redaction.hookURL(url))\(secret == nil ? "" : ", signed"))"
        }
    }

    public var debugDescription: String { description }
}

extension PostgresSettings: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "postgres \(displayName)" }
    public var debugDescription: String { description }
}

extension Collector: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let storage = switch configuration.storage {
        case .sqlite: "sqlite in \(configuration.dataDirectory)"
        case .postgres(let settings): settings.description
        }
        return "Collector(\(tlsContexts == nil ? "http" : "https")://\(configuration.host):\(configuration.port), \(storage))"
    }

    public var debugDescription: String { description }
}
