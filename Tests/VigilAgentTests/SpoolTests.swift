import Foundation
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilAgent

@Suite("Durable spool")
struct SpoolTests {
    static func record(_ index: Int, check: String = "web") -> SpoolRecord {
        SpoolRecord(checkName: check, timestampMs: 1_763_800_000_000 + Int64(index) * 1000, status: index % 3 == 0 ? .down : .up,
                    latencyUs: UInt32(index), code: 200, message: "m\(index)")
    }

    static func batch(from start: SpoolPosition, _ peeked: (records: [SpoolRecord], end: SpoolPosition), seq: UInt64, dropped: UInt64 = 0) -> InflightBatch {
        InflightBatch(sessionID: "s", seq: seq, start: start, end: peeked.end, count: peeked.records.count, dropped: dropped,
                      definedChecks: ["web"], body: Array("body-\(seq)".utf8))
    }

    @Test("records come back in order; acknowledged ones are gone, also after reopening")
    func appendPeekCommit() async throws {
        let directory = try TemporaryDirectory("spool")
        defer { directory.remove() }
        let configuration = SpoolConfiguration(directory: directory.path)
        do {
            let spool = try Spool(configuration: configuration)
            for index in 0..<10 { try await spool.append(Self.record(index)) }
            #expect(await spool.pendingCount == 10)
            let start = await spool.readPosition
            let peeked = try await spool.peek(max: 4)
            #expect(peeked.records == (0..<4).map { Self.record($0) })
            try await spool.setInflight(Self.batch(from: start, peeked, seq: 1))
            #expect(await spool.pendingCount == 6)
            try await spool.commitInflight()
            let next = try await spool.peek(max: 100)
            #expect(next.records == (4..<10).map { Self.record($0) })
        }
        let reopened = try Spool(configuration: configuration)
        #expect(await reopened.pendingCount == 6)
        #expect(try await reopened.peek(max: 100).records.first == Self.record(4))
    }

    @Test("an in-flight batch survives a restart byte for byte, and what follows it is still pending")
    func inflightSurvives() async throws {
        let directory = try TemporaryDirectory("spool")
        defer { directory.remove() }
        let configuration = SpoolConfiguration(directory: directory.path)
        let batch: InflightBatch
        do {
            let spool = try Spool(configuration: configuration)
            for index in 0..<8 { try await spool.append(Self.record(index)) }
            let start = await spool.readPosition
            batch = Self.batch(from: start, try await spool.peek(max: 5), seq: 7)
            try await spool.setInflight(batch)
        }
        let reopened = try Spool(configuration: configuration)
        #expect(await reopened.inflight == batch)
        #expect(await reopened.pendingCount == 3)
        #expect(try await reopened.peek(max: 10).records == (5..<8).map { Self.record($0) })
        try await reopened.commitInflight()
        #expect(await reopened.inflight == nil)
    }

    @Test("a torn record at the end is cut off on open")
    func tornTail() async throws {
        let directory = try TemporaryDirectory("spool")
        defer { directory.remove() }
        let configuration = SpoolConfiguration(directory: directory.path)
        do {
            let spool = try Spool(configuration: configuration)
            for index in 0..<3 { try await spool.append(Self.record(index)) }
        }
        let segment = Spool.segmentPath(directory.path, 1)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([40, 0, 0, 0, 1, 2, 3, 4, 9, 9]))  // a length and checksum with half a payload
        try handle.close()
        let reopened = try Spool(configuration: configuration)
        #expect(await reopened.pendingCount == 3)
        try await reopened.append(Self.record(3))
        #expect(try await reopened.peek(max: 10).records == (0..<4).map { Self.record($0) })
    }

    @Test("past its size the spool drops the oldest segment and counts what was lost")
    func sizeLimit() async throws {
        let directory = try TemporaryDirectory("spool")
        defer { directory.remove() }
        let spool = try Spool(configuration: SpoolConfiguration(directory: directory.path, maxBytes: 256 << 10))
        let total = 20_000
        for index in 0..<total { try await spool.append(Self.record(index)) }
        let pending = await spool.pendingCount
        let dropped = await spool.unreportedDrops
        #expect(dropped > 0)
        #expect(pending + Int(dropped) == total)
        let remaining = try await spool.peek(max: total).records
        #expect(remaining.count == pending)
        #expect(remaining.last == Self.record(total - 1))
        let bytes = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".log") }
            .map { SpoolFiles.size(directory.path + "/" + $0) }
            .reduce(0, +)
        #expect(bytes <= 256 << 10)
    }

    @Test("a refused batch counts as dropped; a returned one is batched again")
    func lostAndReturned() async throws {
        let directory = try TemporaryDirectory("spool")
        defer { directory.remove() }
        let spool = try Spool(configuration: SpoolConfiguration(directory: directory.path))
        for index in 0..<6 { try await spool.append(Self.record(index)) }
        var start = await spool.readPosition
        try await spool.setInflight(Self.batch(from: start, try await spool.peek(max: 2), seq: 1))
        try await spool.commitInflight(lost: true)
        #expect(await spool.unreportedDrops == 2)
        start = await spool.readPosition
        try await spool.setInflight(Self.batch(from: start, try await spool.peek(max: 4), seq: 2, dropped: 2))
        #expect(await spool.unreportedDrops == 0)
        try await spool.returnInflight()
        #expect(await spool.unreportedDrops == 2)
        #expect(await spool.pendingCount == 4)
        #expect(try await spool.peek(max: 10).records == (2..<6).map { Self.record($0) })
    }
}
