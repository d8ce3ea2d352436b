import Testing
@testable import VigilWire

@Suite("zlib")
struct ZlibTests {
    let text = Array(String(repeating: "vigil heartbeat ", count: 4000).utf8)

    @Test("zlib and gzip round trips", arguments: [ZlibFormat.zlib, .gzip])
    func roundTrip(format: ZlibFormat) throws {
        let compressed = try Zlib.deflate(text, format: format)
        #expect(compressed.count < text.count / 10)
        #expect(try Zlib.inflate(compressed, format: format, limit: text.count) == text)
    }

    @Test("gzip framing has the gzip magic, zlib the zlib header")
    func framing() throws {
        #expect(try Zlib.deflate(text, format: .gzip).prefix(2) == [0x1f, 0x8b])
        #expect(try Zlib.deflate(text, format: .zlib).first == 0x78)
    }

    @Test("streaming in small chunks gives the same bytes")
    func streaming() throws {
        let compressed = try Zlib.deflate(text)
        let inflater = try Inflater(format: .zlib, limit: text.count)
        for start in stride(from: 0, to: compressed.count, by: 7) {
            try inflater.update(Array(compressed[start..<min(start + 7, compressed.count)]))
        }
        #expect(try inflater.finish() == text)
    }

    @Test("the limit is exact: one byte over fails")
    func exactLimit() throws {
        let compressed = try Zlib.deflate(text)
        #expect(try Zlib.inflate(compressed, limit: text.count).count == text.count)
        #expect { try Zlib.inflate(compressed, limit: text.count - 1) } throws: {
            ($0 as? CompressionError)?.code == .limitExceeded
        }
    }

    @Test("a zip bomb stops at the limit without inflating the rest")
    func zipBomb() throws {
        // 256 MiB of zeros, streamed through the deflater so the test itself stays small.
        let deflater = try Deflater(format: .zlib, level: 9)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var bomb: [UInt8] = []
        for _ in 0..<256 { bomb += try deflater.update(zeros) }
        bomb += try deflater.finish()
        #expect(bomb.count < 300_000)
        let inflater = try Inflater(format: .zlib, limit: 8 << 20)
        #expect { try inflater.update(bomb) } throws: { ($0 as? CompressionError)?.code == .limitExceeded }
        #expect(inflater.output.count <= 8 << 20)
    }

    @Test("corrupt, truncated and trailing input are told apart")
    func badInput() throws {
        let compressed = try Zlib.deflate(text)
        #expect { try Zlib.inflate([0x00, 0x01, 0x02, 0x03], limit: 100) } throws: {
            ($0 as? CompressionError)?.code == .corruptInput
        }
        #expect { try Zlib.inflate(Array(compressed.dropLast(10)), limit: 1 << 20) } throws: {
            ($0 as? CompressionError)?.code == .truncatedInput
        }
        #expect { try Zlib.inflate(compressed + [1, 2, 3], limit: 1 << 20) } throws: {
            ($0 as? CompressionError)?.code == .trailingData
        }
    }
}
