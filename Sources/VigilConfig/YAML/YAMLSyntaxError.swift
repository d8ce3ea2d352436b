/// A document that is not YAML this reader accepts, with where the problem is.
struct YAMLSyntaxError: Error, Sendable, CustomStringConvertible {
    var mark: YAMLMark
    var message: String

    var description: String { "line \(mark.line), column \(mark.column): \(message)" }
}
