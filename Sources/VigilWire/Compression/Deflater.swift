import CZlib

/// Streaming deflate into zlib or gzip framing.
///
/// Feed input with ``update(_:)`` and end the stream with ``finish()``; each call returns the compressed
/// bytes it produced. Not thread-safe.
public final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch: [UInt8]
    private var finished = false

    /// Creates a deflater; `level` is zlib's 0 (store) … 9 (smallest), default 6.
    public init(format: ZlibFormat = .zlib, level: Int32 = 6) throws(CompressionError) {
        self.scratch = [UInt8](repeating: 0, count: 64 * 1024)
        self.stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size)
        )
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CompressionError(.zlibFailure, "deflateInit failed (\(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, returning what zlib emitted so far (possibly nothing).
    public func update(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        try run(input, flush: Z_NO_FLUSH)
    }

    /// Ends the stream and returns the remaining compressed bytes.
    public func finish() throws(CompressionError) -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        return try run([], flush: Z_FINISH)
    }

    private func run(_ input: [UInt8], flush: Int32) throws(CompressionError) -> [UInt8] {
        var output: [UInt8] = []
        var failure: Int32?
        input.withUnsafeBufferPointer { inputBuffer in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
            stream.pointee.avail_in = UInt32(inputBuffer.count)
            scratch.withUnsafeMutableBufferPointer { buffer in
                repeat {
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(buffer.count)
                    let status = deflate(stream, flush)
                    if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR {
                        failure = status
                        return
                    }
                    output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.pointee.avail_out))])
                } while stream.pointee.avail_out == 0
            }
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        if let failure { throw CompressionError(.zlibFailure, "deflate failed (\(failure))") }
        return output
    }
}
