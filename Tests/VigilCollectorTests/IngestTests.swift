import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

/// Ingest over real HTTP against a collector on 127.0.0.1 with its own SQLite file.
@Suite("Ingest API")
struct IngestTests {
    struct Answer {
        var status: Int
        var body: String
        var retryAfter: String? = nil
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func post(_ port: Int, body: [UInt8], token: String?, type: String = "application/x-protobuf", encoding: String? = "deflate") async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/batches")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: type)
        if let encoding { request.headers.add(name: "Content-Encoding", value: encoding) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), body: String(buffer: buffer), retryAfter: response.headers.first(name: "Retry-After"))
    }

    static func batch(seq: UInt64, start: Int64, statuses: [CheckStatus], session: String = "s1") -> Batch {
        Batch(
            sessionID: session, seq: seq, agentVersion: "test",
            checks: seq == 1 ? [CheckDefinition(id: 1, name: "web", service: "web", kind: "http", target: "http://x", intervalMs: 10_000, timeoutMs: 5_000)] : [],
            heartbeats: statuses.enumerated().map { index, status in
                Heartbeat(check: 1, timestampMs: start + Int64(index) * 10_000, status: status, code: status == .up ? 200 : 503)
            }
        )
    }

    @Test("a batch is stored once; retrying it changes nothing", arguments: StoreEngine.available)
    func dedupe(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 120_000
            let body = BatchCodec.encodeForShipping(Self.batch(seq: 1, start: start, statuses: [.up, .up, .down, .down, .up]))
            let first = try await Self.post(port, body: body, token: token)
            #expect(first.status == 200)
            #expect(first.json["acked_through"] as? Int == 1)
            #expect(first.json["accepted"] as? Int == 5)
            let again = try await Self.post(port, body: body, token: token)
            #expect(again.status == 200)
            #expect(again.json["duplicate"] as? Bool == true)
            #expect(again.json["accepted"] as? Int == 0)

            let agents = try await harness.collector.store.agents()
            #expect(agents[0].heartbeats == 5)
            #expect(agents[0].batches == 1)
            #expect(try await harness.collector.store.rawBatchCount(agentID: agents[0].id) == 1)
            let checks = try await harness.collector.store.checks(service: "web")
            let runs = try await harness.collector.store.intervals(checkID: checks[0].id, overlapping: TimeRange(startMs: 0, endMs: .max))
            #expect(runs.map(\.status) == [.up, .down, .up])
            // Down exactly from the first failure to the first success: 20 s.
            #expect(runs[1].endMs - runs[1].startMs == 20_000)
        }
    }

    @Test("missing or wrong tokens get 401", arguments: StoreEngine.available)
    func auth(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        _ = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let body = BatchCodec.encodeForShipping(Self.batch(seq: 1, start: 0, statuses: []))
            #expect(try await Self.post(port, body: body, token: nil).status == 401)
            #expect(try await Self.post(port, body: body, token: "vigil_agt_wrong").status == 401)
            // An admin token is not an agent token.
            #expect(try await Self.post(port, body: body, token: harness.collector.adminToken).status == 401)
        }
    }

    @Test("bad bodies get 400 with a reason, unknown encodings 415", arguments: StoreEngine.available)
    func badBodies(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let garbage = try await Self.post(port, body: Array("hello".utf8), token: token, type: "application/json", encoding: nil)
            #expect(garbage.status == 400)
            #expect(garbage.body.contains("invalid JSON"))
            let notZlib = try await Self.post(port, body: Array("hello".utf8), token: token)
            #expect(notZlib.status == 400)
            #expect(notZlib.body.contains("deflate"))
            let zeroInterval = try await Self.post(
                port, body: Array(#"{"session_id":"s","seq":1,"checks":[{"id":1,"name":"a","service":"a","kind":"http","target":"x","interval_ms":0}]}"#.utf8),
                token: token, type: "application/json", encoding: nil
            )
            #expect(zeroInterval.status == 400)
            #expect(zeroInterval.body.contains("interval_ms"))
            let brotli = try await Self.post(port, body: [1, 2, 3], token: token, encoding: "br")
            #expect(brotli.status == 415)
            // Still serving.
            let body = BatchCodec.encodeForShipping(Self.batch(seq: 1, start: WallClockForTests.nowMs(), statuses: [.up]))
            #expect(try await Self.post(port, body: body, token: token).status == 200)
        }
    }

    @Test("a zip bomb is refused with 413 at the limit", arguments: StoreEngine.available)
    func zipBomb(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine) { $0.maxBodyBytes = 1 << 20 }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        let deflater = try Deflater(format: .zlib, level: 9)
        var bomb: [UInt8] = []
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<64 { bomb += try deflater.update(zeros) }
        bomb += try deflater.finish()
        let payload = bomb
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let answer = try await Self.post(port, body: payload, token: token)
            #expect(answer.status == 413)
            #expect(answer.body.contains("body_too_large"))
        }
    }

    @Test("future and unknown-check heartbeats are refused one by one; the rest is kept", arguments: StoreEngine.available)
    func partialRejects(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let now = WallClockForTests.nowMs()
            var batch = Self.batch(seq: 1, start: now - 20_000, statuses: [.up, .up])
            batch.heartbeats.append(Heartbeat(check: 1, timestampMs: now + 10 * 60_000, status: .down))
            batch.heartbeats.append(Heartbeat(check: 9, timestampMs: now, status: .down))
            let answer = try await Self.post(port, body: BatchCodec.encodeForShipping(batch), token: token)
            #expect(answer.status == 200)
            #expect(answer.json["accepted"] as? Int == 2)
            #expect((answer.json["rejected"] as? [Any])?.count == 2)
            #expect(answer.json["resend_checks"] as? Bool == true)
            #expect(answer.body.contains("future"))
        }
    }

    @Test("a JSON batch, gzip-compressed, is accepted like the agent's own", arguments: StoreEngine.available)
    func jsonGzip(engine: StoreEngine) async throws {
        let harness = try await TestCollector(engine: engine)
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("a1")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let json = JSONBatchCodec.encode(Self.batch(seq: 1, start: WallClockForTests.nowMs() - 5_000, statuses: [.up]))
            let answer = try await Self.post(port, body: try Zlib.deflate(json, format: .gzip), token: token, type: "application/json", encoding: "gzip")
            #expect(answer.status == 200)
            #expect(answer.json["accepted"] as? Int == 1)
        }
    }
}

enum WallClockForTests {
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
