/// A configuration problem, located in its file: `agent.yaml:12:5: checks[1].interval: ...`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// The file could not be read.
        case unreadable
        /// The text is not valid YAML.
        case syntax
        /// A value has the wrong type or form.
        case invalidValue = "invalid_value"
        /// A required key is absent.
        case missingKey = "missing_key"
        /// A key that means nothing here (often a typo).
        case unknownKey = "unknown_key"
    }

    /// What kind of problem.
    public var code: Code
    /// The file, as given.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The problem, starting with the key path.
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}
