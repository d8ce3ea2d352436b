#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilWire

/// A position in the spool: a byte offset in one segment.
public struct SpoolPosition: Sendable, Hashable, Codable, Comparable {
    /// Segment number.
    public var segment: UInt64
    /// Byte offset in the segment.
    public var offset: Int

    public init(segment: UInt64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: SpoolPosition, rhs: SpoolPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }
}

/// A batch built from the spool and persisted before its first send, so that after a crash the agent
/// resends the very same bytes under the same (session, seq) and the collector stores it once.
public struct InflightBatch: Sendable, Hashable {
    /// The session the batch was built in.
    public var sessionID: String
    /// Its seq.
    public var seq: UInt64
    /// The first record it holds.
    public var start: SpoolPosition
    /// Just past the last record it holds.
    public var end: SpoolPosition
    /// Records it holds.
    public var count: Int
    /// The drop count it reports.
    public var dropped: UInt64
    /// Check names whose definitions it carries.
    public var definedChecks: [String]
    /// The encoded, deflated body.
    public var body: [UInt8]

    public init(sessionID: String, seq: UInt64, start: SpoolPosition, end: SpoolPosition, count: Int, dropped: UInt64, definedChecks: [String], body: [UInt8]) {
        self.sessionID = sessionID
        self.seq = seq
        self.start = start
        self.end = end
        self.count = count
        self.dropped = dropped
        self.definedChecks = definedChecks
        self.body = body
    }

    private struct Header: Codable {
        var session_id: String
        var seq: UInt64
        var start: SpoolPosition
        var end: SpoolPosition
        var count: Int
        var dropped: UInt64
        var defined_checks: [String]
    }

    private static let magic = Array("VIGI".utf8)

    /// `VIGI | headerLen u32 | header JSON | bodyLen u32 | body | crc32 u32 of everything before`.
    func serialized() -> [UInt8] {
        let header = Header(session_id: sessionID, seq: seq, start: start, end: end, count: count, dropped: dropped, defined_checks: definedChecks)
        let headerBytes = Array((try? JSONEncoder().encode(header)) ?? Data())
        var bytes = Self.magic
        SpoolRecordCodec.append(UInt32(headerBytes.count), into: &bytes)
        bytes += headerBytes
        SpoolRecordCodec.append(UInt32(body.count), into: &bytes)
        bytes += body
        SpoolRecordCodec.append(CRC32.checksum(bytes), into: &bytes)
        return bytes
    }

    /// Parses a serialized batch; `nil` when torn or corrupt.
    static func parse(_ bytes: [UInt8]) -> InflightBatch? {
        guard bytes.count > 8, Array(bytes.prefix(4)) == magic else { return nil }
        var crcReader = ByteReader(bytes: bytes.suffix(4))
        guard let crc = crcReader.u32(), crc == CRC32.checksum(bytes.dropLast(4)) else { return nil }
        var reader = ByteReader(bytes: bytes.dropFirst(4).dropLast(4))
        guard let headerLength = reader.u32(), let headerBytes = reader.take(Int(headerLength)),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)),
              let bodyLength = reader.u32(), let body = reader.take(Int(bodyLength)) else { return nil }
        return InflightBatch(
            sessionID: header.session_id, seq: header.seq, start: header.start, end: header.end, count: header.count,
            dropped: header.dropped, definedChecks: header.defined_checks, body: Array(body)
        )
    }
}
