/// Why compressing or inflating failed.
public struct CompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The input is not a valid zlib/gzip stream.
        case corruptInput = "corrupt_input"
        /// The input ended before the stream did.
        case truncatedInput = "truncated_input"
        /// Bytes follow the end of the compressed stream.
        case trailingData = "trailing_data"
        /// Inflating would produce more than the allowed number of bytes.
        case limitExceeded = "limit_exceeded"
        /// zlib itself failed (out of memory, version mismatch).
        case zlibFailure = "zlib_failure"
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
