#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore

/// How a batch body is serialised (`Content-Type`).
public enum ContentFormat: String, Sendable, Hashable {
    /// `application/x-protobuf`: what the agent sends.
    case protobuf = "application/x-protobuf"
    /// `application/json`: the same fields in snake_case, for scripts and curl.
    case json = "application/json"

    /// Reads a `Content-Type` header value, ignoring parameters such as `charset`.
    public init(contentType: String?) throws(WireError) {
        let mediaType = (contentType ?? "").split(separator: ";").first.map {
            $0.trimmingSpaces().lowercased()
        } ?? ""
        switch mediaType {
        case "application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf":
            self = .protobuf
        case "application/json":
            self = .json
        case "":
            throw WireError(.unsupportedContentType, "missing Content-Type: send application/x-protobuf or application/json")
        default:
            throw WireError(
                .unsupportedContentType,
                "unsupported Content-Type \"\(mediaType)\": send application/x-protobuf or application/json"
            )
        }
    }
}

/// How a body is compressed (`Content-Encoding`).
public enum ContentEncoding: String, Sendable, Hashable {
    /// zlib framing (RFC 1950), what HTTP calls deflate; the agent's choice.
    case deflate
    /// gzip framing.
    case gzip
    /// Not compressed.
    case identity

    /// Reads a `Content-Encoding` header value; absent means identity.
    public init(header: String?) throws(WireError) {
        let value = (header ?? "").trimmingSpaces().lowercased()
        switch value {
        case "deflate": self = .deflate
        case "gzip", "x-gzip": self = .gzip
        case "", "identity": self = .identity
        default:
            throw WireError(.unsupportedEncoding, "unsupported Content-Encoding \"\(value)\": use deflate, gzip or identity")
        }
    }

    /// The zlib framing to inflate with, or `nil` for identity.
    public var zlibFormat: ZlibFormat? {
        switch self {
        case .deflate: return .zlib
        case .gzip: return .gzip
        case .identity: return nil
        }
    }
}
