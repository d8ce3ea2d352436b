/// Why an upload could not be read; each code maps to one HTTP status (DESIGN §4).
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The body is not a batch (400).
        case malformedBody = "malformed_body"
        /// The Content-Type is neither protobuf nor JSON (415).
        case unsupportedContentType = "unsupported_content_type"
        /// The Content-Encoding is not deflate, gzip or identity (415).
        case unsupportedEncoding = "unsupported_encoding"
        /// The body, inflated, is larger than allowed (413).
        case bodyTooLarge = "body_too_large"

        /// The HTTP status that answers this failure.
        public var httpStatus: Int {
            switch self {
            case .malformedBody: return 400
            case .unsupportedContentType, .unsupportedEncoding: return 415
            case .bodyTooLarge: return 413
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// A human explanation naming the offending field or header.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
