#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads YAML configuration documents.
public enum ConfigDocument {
    /// Parses `text` (named `file` in errors) into its root value; an empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
        let documents = try read(text, file: file)
        guard documents.count <= 1 else {
            let second = documents[1].mark
            throw ConfigError(.syntax, file: file, line: second.line, column: second.column,
                              message: "invalid YAML: expected a single document, found another one here")
        }
        guard let root = documents.first, !root.isNull else {
            let mark = documents.first?.mark ?? YAMLMark(line: 1, column: 1)
            return ConfigValue(node: YAMLNode(.mapping([]), mark: mark), path: "", file: file)
        }
        return ConfigValue(node: root, path: "", file: file)
    }

    /// Parses every document of a multi-document stream (`---` between documents), with positions in
    /// the whole text.
    public static func parseAll(_ text: String, file: String) throws(ConfigError) -> [ConfigValue] {
        try read(text, file: file).map { ConfigValue(node: $0, path: "", file: file) }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ConfigValue {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, file: path, message: "cannot read config file: \(Self.reason(error))")
        }
        return try parse(text, file: path)
    }

    private static func read(_ text: String, file: String) throws(ConfigError) -> [YAMLNode] {
        do {
            return try YAMLReader.documents(text)
        } catch {
            throw ConfigError(.syntax, file: file, line: error.mark.line, column: error.mark.column, message: "invalid YAML: \(error.message)")
        }
    }

    /// Why a file could not be read, in words (the POSIX reason when there is one).
    private static func reason(_ error: any Error) -> String {
        if let posix = error as? CocoaError, let underlying = posix.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return String(describing: error)
    }
}
