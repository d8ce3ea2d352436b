import VigilCore

/// One heartbeat as the spool keeps it: by check *name*, so records written before a config change or a
/// restart still name the right check.
public struct SpoolRecord: Sendable, Hashable {
    /// The check's name (unique per agent).
    public var checkName: String
    /// Probe start, ms since the epoch.
    public var timestampMs: Int64
    /// The outcome.
    public var status: CheckStatus
    /// Probe duration, µs.
    public var latencyUs: UInt32
    /// Detail code (HTTP status), or 0.
    public var code: Int32
    /// Short human message.
    public var message: String
    /// The stamping clock's steps so far (``VigilCore/Heartbeat/clockAdjustMs``).
    public var clockAdjustMs: Int64

    public init(
        checkName: String, timestampMs: Int64, status: CheckStatus, latencyUs: UInt32 = 0, code: Int32 = 0, message: String = "",
        clockAdjustMs: Int64 = 0
    ) {
        self.checkName = checkName
        self.timestampMs = timestampMs
        self.status = status
        self.latencyUs = latencyUs
        self.code = code
        self.message = message
        self.clockAdjustMs = clockAdjustMs
    }
}

/// The on-disk form of a record: little-endian fields, strings length-prefixed.
///
/// `version u8 | ts i64 | status u8 | latency u32 | code i32 | nameLen u16 | name | messageLen u16 | message`
/// and, from version 2 on and only when the clock was stepped, `| clockAdjust i64`. Version 1 records
/// (written before issue 18) still read, with no adjustment.
enum SpoolRecordCodec {
    static let version: UInt8 = 1
    /// Records of a stepped clock carry the adjustment at the end.
    static let adjustedVersion: UInt8 = 2
    static let statuses: [CheckStatus] = [.unknown, .up, .down, .degraded]

    static func encode(_ record: SpoolRecord, into bytes: inout [UInt8]) {
        bytes.append(record.clockAdjustMs == 0 ? version : adjustedVersion)
        append(UInt64(bitPattern: record.timestampMs), into: &bytes)
        bytes.append(UInt8(statuses.firstIndex(of: record.status) ?? 0))
        append(record.latencyUs, into: &bytes)
        append(UInt32(bitPattern: record.code), into: &bytes)
        appendString(record.checkName, into: &bytes)
        appendString(record.message, into: &bytes)
        if record.clockAdjustMs != 0 { append(UInt64(bitPattern: record.clockAdjustMs), into: &bytes) }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> SpoolRecord? {
        var reader = ByteReader(bytes: bytes)
        guard let recordVersion = reader.u8(), recordVersion == version || recordVersion == adjustedVersion,
              let ts = reader.u64(), let statusIndex = reader.u8(), Int(statusIndex) < statuses.count,
              let latency = reader.u32(), let code = reader.u32(),
              let name = reader.string(), let message = reader.string() else { return nil }
        var adjust: Int64 = 0
        if recordVersion == adjustedVersion {
            guard let value = reader.u64() else { return nil }
            adjust = Int64(bitPattern: value)
        }
        return SpoolRecord(
            checkName: name, timestampMs: Int64(bitPattern: ts), status: statuses[Int(statusIndex)],
            latencyUs: latency, code: Int32(bitPattern: code), message: message, clockAdjustMs: adjust
        )
    }

    static func append<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendString(_ text: String, into bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8.prefix(Int(UInt16.max)))
        append(UInt16(utf8.count), into: &bytes)
        bytes.append(contentsOf: utf8)
    }
}

/// Reads little-endian values from a byte slice, returning `nil` past the end.
struct ByteReader {
    var bytes: ArraySlice<UInt8>

    mutating func u8() -> UInt8? { bytes.popFirst() }
    mutating func u16() -> UInt16? { integer() }
    mutating func u32() -> UInt32? { integer() }
    mutating func u64() -> UInt64? { integer() }

    mutating func integer<T: FixedWidthInteger>() -> T? {
        let size = MemoryLayout<T>.size
        guard bytes.count >= size else { return nil }
        var value: T = 0
        for (shift, byte) in bytes.prefix(size).enumerated() { value |= T(byte) << (shift * 8) }
        bytes = bytes.dropFirst(size)
        return value
    }

    mutating func string() -> String? {
        guard let length = u16(), bytes.count >= Int(length) else { return nil }
        let text = String(decoding: bytes.prefix(Int(length)), as: UTF8.self)
        bytes = bytes.dropFirst(Int(length))
        return text
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard bytes.count >= count else { return nil }
        let slice = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return slice
    }
}
