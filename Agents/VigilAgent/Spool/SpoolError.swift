/// A spool operation that failed at the file-system level.
public struct SpoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The spool directory or a file in it could not be created, opened or written.
        case io
    }

    /// What kind of failure.
    public var code: Code
    /// Human explanation, with the path and the system's reason.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
