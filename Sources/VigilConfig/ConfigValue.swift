import VigilCore

/// One value of a YAML configuration document, with the key path and file position for error messages.
///
/// Reading goes through typed accessors that throw a located ``ConfigError``, so every config in Vigil
/// reports mistakes the same way: file, line, column, key path, reason.
public struct ConfigValue: Sendable {
    /// The YAML node.
    let node: YAMLNode
    /// The key path, such as `checks[2].timeout`.
    public let path: String
    /// The file the document came from.
    public let file: String

    init(node: YAMLNode, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// Builds an error located at this value.
    public func error(_ message: String, code: ConfigError.Code = .invalidValue) -> ConfigError {
        ConfigError(code, file: file, line: node.mark.line, column: node.mark.column, message: "\(path): \(message)")
    }

    /// Whether the value is YAML null (`~`, `null` or empty).
    public var isNull: Bool {
        node.scalarText == "" || node.isNull
    }

    /// The value as text.
    public func string() throws(ConfigError) -> String {
        guard let text = node.scalarText else { throw error("expected a string") }
        return text
    }

    /// The value as a non-empty string.
    public func nonEmptyString() throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw error("must not be empty") }
        return text
    }

    /// The value as an integer.
    public func int() throws(ConfigError) -> Int {
        guard let value = node.int else { throw error("expected a whole number") }
        return value
    }

    /// The value as a number.
    public func double() throws(ConfigError) -> Double {
        guard let value = node.double else { throw error("expected a number") }
        return value
    }

    /// The value as a boolean (`true`/`false`).
    public func bool() throws(ConfigError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    /// The value as a duration (`500ms`, `10s`, `5m`, `1h30m`), in milliseconds; must be positive.
    public func durationMs() throws(ConfigError) -> Int64 {
        let text = try string()
        let ms: Int64
        do {
            ms = try DurationText.parseMilliseconds(text)
        } catch {
            throw self.error(error.description)
        }
        guard ms > 0 else { throw error("duration must be greater than zero") }
        return ms
    }

    /// The value as a list.
    public func array() throws(ConfigError) -> [ConfigValue] {
        guard case .sequence(let sequence) = node.content else { throw error("expected a list") }
        return sequence.enumerated().map { index, element in
            ConfigValue(node: element, path: "\(path)[\(index)]", file: file)
        }
    }

    /// The value as a mapping whose keys must all be in `allowedKeys` (any key when `nil`).
    public func object(allowedKeys: Set<String>?) throws(ConfigError) -> ConfigObject {
        guard case .mapping(let mapping) = node.content else { throw error("expected a mapping of keys to values") }
        var entries: [String: ConfigValue] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalarText else {
                throw ConfigValue(node: keyNode, path: path, file: file).error("keys must be strings")
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            let child = ConfigValue(node: valueNode, path: childPath, file: file)
            if let allowedKeys, !allowedKeys.contains(key) {
                let known = allowedKeys.sorted().joined(separator: ", ")
                throw ConfigValue(node: keyNode, path: childPath, file: file)
                    .error("unknown key (expected one of: \(known))", code: .unknownKey)
            }
            entries[key] = child
        }
        return ConfigObject(value: self, entries: entries)
    }
}

/// A mapping read from a config document.
public struct ConfigObject: Sendable {
    /// The mapping itself, for errors about it as a whole.
    public let value: ConfigValue
    /// Every key and value present.
    public let entries: [String: ConfigValue]

    /// The value at `key`, or `nil` when absent or null.
    public func optional(_ key: String) -> ConfigValue? {
        guard let entry = entries[key], !entry.isNull else { return nil }
        return entry
    }

    /// The value at `key`; a located error when absent.
    public func required(_ key: String) throws(ConfigError) -> ConfigValue {
        guard let entry = optional(key) else {
            let path = value.path.isEmpty ? key : "\(value.path).\(key)"
            throw ConfigError(
                .missingKey, file: value.file, line: value.node.mark.line, column: value.node.mark.column,
                message: "\(path): required key is missing"
            )
        }
        return entry
    }
}
