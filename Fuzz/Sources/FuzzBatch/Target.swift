// Feeds arbitrary bytes to the collector's batch path: the streaming inflater with its size limit (in
// chunks, as bodies arrive), then the protobuf or JSON decoder. The first input byte picks the content
// encoding and format. Errors are expected; crashes, hangs, leaks and broken invariants are findings:
// - the inflater never yields more than its limit;
// - a decoded batch encodes and decodes back to itself (both formats).
import VigilCore
import VigilWire

/// The limit used while fuzzing: small, so bombs are found quickly.
let limit = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBatch(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let selector = input[0]
    let body = Array(input.dropFirst())
    let encoding: ContentEncoding = [.identity, .deflate, .gzip][Int(selector % 3)]
    let format: ContentFormat = (selector / 3) % 2 == 0 ? .protobuf : .json
    let chunkSize = 1 + Int(selector / 6) % 64

    var inflated = body
    if let zlibFormat = encoding.zlibFormat {
        do throws(CompressionError) {
            let inflater = try Inflater(format: zlibFormat, limit: limit)
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + chunkSize)
                try inflater.update(Array(body[offset..<end]))
                precondition(inflater.output.count <= limit, "the inflater went past its limit")
                offset = end
            }
            inflated = try inflater.finish()
            precondition(inflated.count <= limit, "the inflater went past its limit")
        } catch {
            _ = BatchCodec.wireError(for: error, encoding: encoding)
            return 0
        }
    }
    guard let batch = try? BatchCodec.decode(inflated, format: format) else { return 0 }
    let again: Batch
    do {
        again = try BatchCodec.decode(format == .protobuf ? ProtobufBatchCodec.encode(batch) : JSONBatchCodec.encode(batch), format: format)
    } catch {
        preconditionFailure("a decoded batch did not decode after encoding again: \(error)")
    }
    precondition(again == batch, "a decoded batch changed on a round trip")
    return 0
}
