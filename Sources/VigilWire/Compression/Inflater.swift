import CZlib

/// Streaming inflate with a hard output limit.
///
/// Input is fed in chunks as it arrives; inflating stops as soon as the output would pass `limit`, so a
/// zip bomb costs at most `limit` bytes of memory and the work to produce them. Not thread-safe: one
/// inflater belongs to one request.
public final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let limit: Int
    private var scratch: [UInt8]
    private var finished = false
    /// The bytes inflated so far.
    public private(set) var output: [UInt8] = []

    /// Creates an inflater for `format` that refuses to produce more than `limit` bytes.
    public init(format: ZlibFormat, limit: Int) throws(CompressionError) {
        precondition(limit >= 0, "limit must not be negative")
        self.limit = limit
        self.scratch = [UInt8](repeating: 0, count: 64 * 1024)
        self.stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CompressionError(.zlibFailure, "inflateInit failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Whether the end of the compressed stream has been reached.
    public var isFinished: Bool { finished }

    /// Inflates one chunk of input, appending to ``output``.
    public func update(_ input: UnsafeRawBufferPointer) throws(CompressionError) {
        guard input.count > 0 else { return }
        if finished {
            throw CompressionError(.trailingData, "data continues after the end of the compressed stream")
        }
        let base = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        stream.pointee.next_in = base
        stream.pointee.avail_in = UInt32(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            // Never ask zlib for more than one byte past the limit.
            let room = min(scratch.count, limit - output.count + 1)
            let (status, produced) = scratch.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(room)
                let status = inflate(stream, Z_NO_FLUSH)
                return (status, room - Int(stream.pointee.avail_out))
            }
            if produced > 0 {
                if output.count + produced > limit {
                    throw CompressionError(.limitExceeded, "inflated body exceeds the limit of \(limit) bytes")
                }
                output.append(contentsOf: scratch[0..<produced])
            }
            switch status {
            case Z_STREAM_END:
                finished = true
                if stream.pointee.avail_in > 0 {
                    throw CompressionError(.trailingData, "data continues after the end of the compressed stream")
                }
                return
            case Z_OK:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
            case Z_BUF_ERROR:
                // No progress possible: all input consumed (more is needed) or the output room is full.
                if stream.pointee.avail_in == 0 { return }
            case Z_NEED_DICT, Z_DATA_ERROR:
                throw CompressionError(.corruptInput, "corrupt compressed data: \(lastMessage ?? "invalid stream")")
            case Z_MEM_ERROR:
                throw CompressionError(.zlibFailure, "zlib ran out of memory")
            default:
                throw CompressionError(.zlibFailure, "inflate failed (\(status))")
            }
        }
    }

    /// Inflates one chunk of input given as bytes.
    public func update(_ input: [UInt8]) throws(CompressionError) {
        let result: Result<Void, CompressionError> = input.withUnsafeBytes { raw in
            do throws(CompressionError) {
                try update(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Checks that the stream ended and returns everything inflated.
    public func finish() throws(CompressionError) -> [UInt8] {
        guard finished else {
            throw CompressionError(.truncatedInput, "compressed data ends before the end of the stream")
        }
        return output
    }

    private var lastMessage: String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
