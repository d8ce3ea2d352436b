import Foundation
import Yams

/// Loads YAML configuration documents.
public enum ConfigDocument {
    /// Parses `text` (named `file` in errors) into its root value; an empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
        do {
            let node = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
            return ConfigValue(node: node, path: "", file: file)
        } catch let yaml as YamlError {
            throw syntaxError(yaml, file: file)
        } catch {
            throw ConfigError(.syntax, file: file, message: "\(error)")
        }
    }

    /// Parses every document of a multi-document stream (`---` between documents), with positions in
    /// the whole text.
    public static func parseAll(_ text: String, file: String) throws(ConfigError) -> [ConfigValue] {
        do {
            return try Yams.compose_all(yaml: text).map { ConfigValue(node: $0, path: "", file: file) }
        } catch let yaml as YamlError {
            throw syntaxError(yaml, file: file)
        } catch {
            throw ConfigError(.syntax, file: file, message: "\(error)")
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ConfigValue {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, file: path, message: "cannot read config file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text), " } ?? ""
            return ConfigError(.syntax, file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(prefix)\(problem)")
        default:
            return ConfigError(.syntax, file: file, message: "invalid YAML: \(error)")
        }
    }
}
