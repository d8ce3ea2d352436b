import Testing
import VigilCore
@testable import VigilWire

@Suite("Batch codec")
struct CodecTests {
    static let sample = Batch(
        sessionID: "6f1c2a", seq: 7, agentVersion: "0.1.0", dropped: 3,
        checks: [CheckDefinition(id: 1, name: "api-health", service: "api", kind: "http", target: "http://127.0.0.1:8080/health", intervalMs: 10_000, timeoutMs: 2_000)],
        heartbeats: [
            Heartbeat(check: 1, timestampMs: 1_763_800_000_000, status: .up, latencyUs: 1834, code: 200),
            Heartbeat(check: 1, timestampMs: 1_763_800_010_000, status: .down, latencyUs: 90, code: 503, message: "status 503"),
            // Out of order within the batch: deltas may be negative.
            Heartbeat(check: 1, timestampMs: 1_763_799_990_000, status: .degraded, latencyUs: 5_000_000, code: 200),
            Heartbeat(check: 1, timestampMs: 1_763_800_020_000, status: .unknown),
        ]
    )

    @Test("protobuf round trip")
    func protobufRoundTrip() throws {
        #expect(try ProtobufBatchCodec.decode(ProtobufBatchCodec.encode(Self.sample)) == Self.sample)
    }

    @Test("JSON round trip")
    func jsonRoundTrip() throws {
        #expect(try JSONBatchCodec.decode(JSONBatchCodec.encode(Self.sample)) == Self.sample)
    }

    @Test("shipping form is zlib-deflated protobuf")
    func shippingForm() throws {
        let body = BatchCodec.encodeForShipping(Self.sample)
        #expect(body.first == 0x78)  // zlib header
        let inflated = try Zlib.inflate(body, format: .zlib, limit: 1 << 20)
        #expect(try BatchCodec.decode(inflated, format: .protobuf) == Self.sample)
    }

    @Test("the JSON of the issue example decodes")
    func issueExample() throws {
        let text = """
            {"session_id":"6f1c","seq":7,"agent_version":"0.1.0","dropped":0,"checks":[{"id":1,"name":"api-health","service":"api","kind":"http","target":"http://127.0.0.1:8080/health","interval_ms":10000}],"heartbeats":[{"check":1,"ts_ms":1763800000000,"status":"up","latency_us":1834,"code":200,"message":""}]}
            """
        let batch = try JSONBatchCodec.decode(Array(text.utf8))
        #expect(batch.seq == 7)
        #expect(batch.checks[0].intervalMs == 10_000)
        #expect(batch.heartbeats[0] == Heartbeat(check: 1, timestampMs: 1_763_800_000_000, status: .up, latencyUs: 1834, code: 200))
    }

    @Test("JSON errors name the field", arguments: [
        (#"{"seq":1}"#, #"missing field "session_id""#),
        (#"{"session_id":"a","seq":1,"heartbeats":[{"check":1,"ts_ms":5,"status":"upp"}]}"#, #"heartbeats[0].status: unknown status "upp""#),
        (#"{"session_id":"a","seq":"x"}"#, "seq:"),
        ("not json", "invalid JSON"),
    ])
    func jsonErrors(body: String, fragment: String) {
        do {
            _ = try JSONBatchCodec.decode(Array(body.utf8))
            Issue.record("decoded a bad body")
        } catch {
            #expect(error.code == .malformedBody)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("corrupted protobuf is malformed, never a crash")
    func corruptedProtobuf() {
        let good = ProtobufBatchCodec.encode(Self.sample)
        var failures = 0
        for index in stride(from: 0, to: good.count, by: 3) {
            var bad = good
            bad[index] ^= 0xFF
            do {
                _ = try ProtobufBatchCodec.decode(bad)
            } catch {
                #expect(error.code == .malformedBody)
                failures += 1
            }
        }
        #expect(failures > 0)
        #expect(throws: WireError.self) { try ProtobufBatchCodec.decode(Array(good.prefix(good.count / 2))) }
    }

    @Test("unknown enum values are refused with the field")
    func unknownStatus() {
        var message = Vigil_Wire_V1_Batch()
        message.sessionID = "s"
        var heartbeat = Vigil_Wire_V1_Heartbeat()
        heartbeat.status = .UNRECOGNIZED(9)
        message.heartbeats = [heartbeat]
        let bytes: [UInt8] = try! message.serializedBytes()
        #expect { try ProtobufBatchCodec.decode(bytes) } throws: { error in
            (error as? WireError)?.message.contains("heartbeats[0].status") == true
        }
    }

    @Test("content headers", arguments: [
        ("application/json; charset=utf-8", ContentFormat.json), ("application/x-protobuf", .protobuf),
    ])
    func contentTypes(header: String, format: ContentFormat) throws {
        #expect(try ContentFormat(contentType: header) == format)
    }

    @Test("unsupported encodings and types are 415")
    func unsupportedHeaders() throws {
        #expect { try ContentEncoding(header: "br") } throws: { ($0 as? WireError)?.code.httpStatus == 415 }
        #expect { try ContentFormat(contentType: "text/plain") } throws: { ($0 as? WireError)?.code.httpStatus == 415 }
        #expect(try ContentEncoding(header: nil) == .identity)
        #expect(try ContentEncoding(header: "x-gzip") == .gzip)
    }

    @Test("steady-state heartbeats cost few bytes on the wire")
    func compactness() {
        // 1,000 checks every 10 s, all up, similar latency: the steady state.
        var heartbeats: [Heartbeat] = []
        for index in 0..<1000 {
            heartbeats.append(Heartbeat(check: UInt32(index + 1), timestampMs: 1_763_800_000_000 + Int64(index * 10), status: .up, latencyUs: 1200 + UInt32(index % 7), code: 200))
        }
        let body = BatchCodec.encodeForShipping(Batch(sessionID: "abcdef0123456789", seq: 42, agentVersion: "0.1.0", heartbeats: heartbeats))
        #expect(body.count < 8 * heartbeats.count, "\(body.count) bytes for \(heartbeats.count) heartbeats")
    }
}
