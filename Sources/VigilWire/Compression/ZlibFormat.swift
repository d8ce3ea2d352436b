/// The framing around a deflate stream.
public enum ZlibFormat: Sendable, Hashable {
    /// RFC 1950 zlib framing: what HTTP calls `Content-Encoding: deflate`, and what the agent sends.
    case zlib
    /// RFC 1952 gzip framing (`Content-Encoding: gzip`).
    case gzip

    /// The `windowBits` argument zlib expects for this framing.
    var windowBits: Int32 {
        switch self {
        case .zlib: return 15
        case .gzip: return 15 + 16
        }
    }
}
