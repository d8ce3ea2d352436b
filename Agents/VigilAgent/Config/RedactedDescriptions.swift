import VigilConfig

// What these values print as, wherever they are interpolated or dumped (a `ServiceGroup` logs the services
// it starts, with everything they hold): never the agent token, nor credentials of probed services.

extension AgentConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "agent \(name) → \(collectorURLs.map(Redaction.url).joined(separator: ", ")), \(checks.count) checks"
    }

    public var debugDescription: String { description }
}

extension HTTPCheckOptions: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let headers = self.headers.keys.sorted().map { name in
            Redaction.isSecretName(name) || ["authorization", "cookie", "proxy-authorization"].contains(name.lowercased())
                ? "\(name): \(Redaction.mask)" : "\(name): \(self.headers[name] ?? "")"
        }
        return "\(method) \(Redaction.url(url))" + (headers.isEmpty ? "" : " [\(headers.joined(separator: ", "))]")
    }

    public var debugDescription: String { description }
}

extension Agent: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "Agent(\(configuration.description))" }
    public var debugDescription: String { description }
}
