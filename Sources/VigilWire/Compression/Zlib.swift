/// One-shot helpers over ``Deflater`` and ``Inflater``.
public enum Zlib {
    /// Compresses `data` in one go.
    public static func deflate(_ data: [UInt8], format: ZlibFormat = .zlib, level: Int32 = 6) throws(CompressionError) -> [UInt8] {
        let deflater = try Deflater(format: format, level: level)
        var output = try deflater.update(data)
        output += try deflater.finish()
        return output
    }

    /// Inflates a complete stream, refusing to produce more than `limit` bytes.
    public static func inflate(_ data: [UInt8], format: ZlibFormat = .zlib, limit: Int) throws(CompressionError) -> [UInt8] {
        let inflater = try Inflater(format: format, limit: limit)
        try inflater.update(data)
        return try inflater.finish()
    }
}
