import VigilCore

/// Reads and writes whole upload bodies: serialisation plus compression, with the size limit applied
/// while inflating.
public enum BatchCodec {
    /// The default limit on a decompressed body: 8 MiB (DESIGN §4).
    public static let defaultMaxBodyBytes = 8 * 1024 * 1024

    /// Encodes a batch the way the agent ships it: protobuf, zlib-deflated.
    public static func encodeForShipping(_ batch: Batch, level: Int32 = 6) -> [UInt8] {
        // Deflating into memory only fails if zlib cannot allocate; fall back to sending uncompressed.
        (try? Zlib.deflate(ProtobufBatchCodec.encode(batch), format: .zlib, level: level)) ?? ProtobufBatchCodec.encode(batch)
    }

    /// Decodes a body that has already been inflated.
    public static func decode(_ bytes: [UInt8], format: ContentFormat) throws(WireError) -> Batch {
        switch format {
        case .protobuf: return try ProtobufBatchCodec.decode(bytes)
        case .json: return try JSONBatchCodec.decode(bytes)
        }
    }

    /// Maps an inflate failure to the wire error the collector answers with.
    public static func wireError(for error: CompressionError, encoding: ContentEncoding) -> WireError {
        switch error.code {
        case .limitExceeded:
            return WireError(.bodyTooLarge, error.message)
        case .corruptInput, .truncatedInput, .trailingData:
            return WireError(.malformedBody, "Content-Encoding \(encoding.rawValue): \(error.message)")
        case .zlibFailure:
            return WireError(.malformedBody, error.message)
        }
    }
}
