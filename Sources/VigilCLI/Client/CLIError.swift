/// A failure the CLI reports to the operator and exits non-zero for.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for scripts reading exit paths.
    public enum Code: String, Sendable {
        /// The collector could not be reached.
        case unreachable
        /// The collector answered with an error.
        case collector
        /// No admin token was found.
        case noToken = "no_token"
        /// The input was wrong.
        case usage
    }

    /// What kind of failure.
    public var code: Code
    /// Human explanation.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
