/// A store operation that could not be done.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The name is taken (agents).
        case alreadyExists = "already_exists"
        /// No such record.
        case notFound = "not_found"
        /// The change would break a rule of the data (removing the last admin token).
        case refused
        /// The database could not be opened or migrated.
        case unavailable
        /// The change would pass a configured limit (`limits:` in the collector config).
        case limitExceeded = "limit_exceeded"
    }

    /// What kind of failure.
    public var code: Code
    /// A human explanation.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
