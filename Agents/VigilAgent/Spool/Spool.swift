#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import VigilWire

/// The agent's durable spool (DESIGN §3): heartbeats are appended to checksummed segments on disk before
/// they are shipped, and removed only after the collector acknowledged them.
///
/// Files in the directory:
/// - `seg-NNNNNNNNNNNNNNNN.log`: append-only records, `length u32 | crc32 u32 | payload`;
/// - `state.json`: the acknowledged position and the drop count not yet reported;
/// - `inflight.bin`: the batch being delivered, persisted before its first send;
/// - `checks.json`: the definitions of every check that has spooled records.
///
/// A torn record at the end of the last segment (a crash mid-write) is cut off when the spool opens; a
/// corrupt record elsewhere ends its segment's readable part and is logged.
public actor Spool {
    struct Segment {
        var index: UInt64
        /// Bytes that hold valid records.
        var validBytes: Int
    }

    private struct State: Codable {
        var cursor: SpoolPosition
        var dropped: UInt64
    }

    private let configuration: SpoolConfiguration
    private let logger: Logger
    private var segments: [Segment] = []
    private var writeFD: Int32 = -1
    private var cursor: SpoolPosition
    private var dropped: UInt64 = 0
    private var inflightBatch: InflightBatch?
    /// Records after the read position (not yet in a batch).
    private var pending = 0
    private var pendingSince: ContinuousClock.Instant?
    private var lastSync = ContinuousClock.now
    private var dirty = false

    /// Opens (creating when needed) the spool in `configuration.directory` and recovers its state.
    public init(configuration: SpoolConfiguration, logger: Logger = Logger(label: "vigil.agent.spool")) throws {
        self.configuration = configuration
        self.logger = logger
        let directory = configuration.directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SpoolError(.io, "cannot create spool directory \(directory): \(error)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let indices = names.compactMap { name -> UInt64? in
            guard name.hasPrefix("seg-"), name.hasSuffix(".log") else { return nil }
            return UInt64(name.dropFirst(4).dropLast(4))
        }.sorted()
        let statePath = FilePaths.join(directory, "state.json")
        let saved = (try? Data(contentsOf: URL(fileURLWithPath: statePath))).flatMap { try? JSONDecoder().decode(State.self, from: $0) }
        let savedCursor = saved?.cursor ?? SpoolPosition(segment: indices.first ?? 1, offset: 0)
        var recovered: InflightBatch?
        let inflightPath = FilePaths.join(directory, "inflight.bin")
        if let bytes = try? SpoolFiles.read(inflightPath, offset: 0, count: SpoolFiles.size(inflightPath)), !bytes.isEmpty {
            if let batch = InflightBatch.parse(bytes), batch.end >= savedCursor {
                recovered = batch
            } else {
                logger.warning("discarding an unreadable in-flight batch; its records will be sent again", metadata: ["path": "\(inflightPath)"])
                SpoolFiles.remove(inflightPath)
            }
        }

        // Recover segments: find each one's valid length, cut a torn tail off the last one, count
        // what is still to be sent.
        let readFrom = recovered?.end ?? savedCursor
        var found: [Segment] = []
        var waiting = 0
        for (position, index) in indices.enumerated() {
            let path = Self.segmentPath(directory, index)
            let (valid, records) = try Self.scan(path: path, from: index == readFrom.segment ? readFrom.offset : 0)
            let size = SpoolFiles.size(path)
            if valid < size {
                if position == indices.count - 1 {
                    logger.warning("cutting a torn record off the spool", metadata: ["path": "\(path)", "bytes": "\(size - valid)"])
                    try SpoolFiles.truncate(path, to: valid)
                } else {
                    logger.error("corrupt spool record; the rest of the segment is skipped", metadata: ["path": "\(path)", "bytes": "\(size - valid)"])
                }
            }
            found.append(Segment(index: index, validBytes: valid))
            if index >= readFrom.segment { waiting += records }
        }
        if found.isEmpty { found.append(Segment(index: savedCursor.segment, validBytes: 0)) }
        cursor = savedCursor
        dropped = saved?.dropped ?? 0
        inflightBatch = recovered
        segments = found
        pending = waiting
        pendingSince = waiting > 0 ? .now : nil
        writeFD = try SpoolFiles.openForAppend(Self.segmentPath(directory, found[found.count - 1].index))
    }

    deinit {
        if writeFD >= 0 {
            SpoolFiles.sync(writeFD)
            close(writeFD)
        }
    }

    // MARK: Writing

    /// Appends one record, dropping the oldest segment when the spool is over its size, or when the disk
    /// is full: then the partial frame is cut off, the oldest segment goes (its unsent heartbeats are
    /// counted in `dropped`) and the write is tried once more. When nothing can be dropped it throws,
    /// and the caller counts the heartbeat as lost.
    public func append(_ record: SpoolRecord) throws {
        var payload: [UInt8] = []
        SpoolRecordCodec.encode(record, into: &payload)
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 8)
        SpoolRecordCodec.append(UInt32(payload.count), into: &frame)
        SpoolRecordCodec.append(CRC32.checksum(payload), into: &frame)
        frame += payload

        if segments[segments.count - 1].validBytes + frame.count > configuration.segmentBytes
            && segments[segments.count - 1].validBytes > 0 {
            try roll()
        }
        let last = segments.count - 1
        let path = Self.segmentPath(configuration.directory, segments[last].index)
        do {
            try SpoolFiles.writeAll(writeFD, frame, path: path)
        } catch {
            // A short write leaves a torn frame: cut it, so the next record starts where the file ends.
            try SpoolFiles.truncate(path, to: segments[last].validBytes)
            guard segments.count > 1 else { throw error }
            logger.warning("spool write failed (disk full?): dropping the oldest segment to make room", metadata: ["error": "\(error)"])
            try dropOldestSegment()
            do {
                try SpoolFiles.writeAll(writeFD, frame, path: path)
            } catch {
                try SpoolFiles.truncate(path, to: segments[segments.count - 1].validBytes)
                throw error
            }
        }
        segments[segments.count - 1].validBytes += frame.count
        if pending == 0 { pendingSince = .now }
        pending += 1
        dirty = true
        try enforceLimit()
        syncIfDue()
    }

    /// fsyncs appended records when the fsync interval has passed.
    public func syncIfDue() {
        let now = ContinuousClock.now
        guard dirty, now - lastSync >= .milliseconds(configuration.fsyncIntervalMs) else { return }
        sync()
    }

    /// fsyncs appended records now.
    public func sync() {
        SpoolFiles.sync(writeFD)
        lastSync = .now
        dirty = false
    }

    private func roll() throws {
        SpoolFiles.sync(writeFD)
        close(writeFD)
        let next = segments[segments.count - 1].index + 1
        segments.append(Segment(index: next, validBytes: 0))
        writeFD = try SpoolFiles.openForAppend(Self.segmentPath(configuration.directory, next))
        SpoolFiles.syncDirectory(configuration.directory)
    }

    private func enforceLimit() throws {
        while totalBytes > configuration.maxBytes && segments.count > 1 {
            try dropOldestSegment()
        }
    }

    /// Deletes the oldest segment, counting its unsent heartbeats as dropped. Needs a second segment.
    private func dropOldestSegment() throws {
        let oldest = segments.removeFirst()
        let readFrom = readPosition
        var lost = 0
        if oldest.index >= readFrom.segment {
            let start = oldest.index == readFrom.segment ? readFrom.offset : 0
            lost = try Self.scan(path: Self.segmentPath(configuration.directory, oldest.index), from: start).records
        }
        SpoolFiles.remove(Self.segmentPath(configuration.directory, oldest.index))
        pending -= lost
        dropped += UInt64(lost)
        let next = SpoolPosition(segment: segments[0].index, offset: 0)
        if cursor.segment <= oldest.index { cursor = next }
        if let batch = inflightBatch, batch.end.segment <= oldest.index {
            inflightBatch?.end = next
        }
        logger.warning("spool full: dropped the oldest segment", metadata: ["heartbeats": "\(lost)"])
        try saveState()
    }

    /// Counts heartbeats that could not be spooled, so the next batch reports them.
    public func recordLoss(_ count: Int) {
        dropped += UInt64(count)
        try? saveState()
    }

    // MARK: Reading and acknowledging

    /// Heartbeats waiting to be put into a batch.
    public var pendingCount: Int { pending }

    /// How long the oldest waiting heartbeat has waited (since it was appended, or since the spool opened).
    public func pendingAge(now: ContinuousClock.Instant) -> Duration? {
        pendingSince.map { now - $0 }
    }

    /// The batch persisted for delivery, if any.
    public var inflight: InflightBatch? { inflightBatch }

    /// The drop count not yet carried by a batch.
    public var unreportedDrops: UInt64 { dropped }

    /// Where the next batch starts.
    public var readPosition: SpoolPosition { inflightBatch?.end ?? cursor }

    /// Up to `max` records from the read position, and the position just after the last one.
    public func peek(max: Int) throws -> (records: [SpoolRecord], end: SpoolPosition) {
        var records: [SpoolRecord] = []
        var position = readPosition
        for segment in segments where segment.index >= position.segment && records.count < max {
            var offset = segment.index == position.segment ? position.offset : 0
            let path = Self.segmentPath(configuration.directory, segment.index)
            while records.count < max && offset < segment.validBytes {
                let chunk = try SpoolFiles.read(path, offset: offset, count: min(256 << 10, segment.validBytes - offset))
                var slice = chunk[...]
                var consumed = 0
                while records.count < max, let (record, size) = Self.nextRecord(&slice) {
                    records.append(record)
                    consumed += size
                }
                if consumed == 0 { break }
                offset += consumed
            }
            position = SpoolPosition(segment: segment.index, offset: offset)
        }
        return (records, position)
    }

    /// Persists a batch before it is first sent; its records and drop count now belong to it.
    public func setInflight(_ batch: InflightBatch) throws {
        try SpoolFiles.replaceAtomically(inflightPath, with: batch.serialized())
        inflightBatch = batch
        pending -= batch.count
        pendingSince = pending > 0 ? .now : nil
        dropped -= min(dropped, batch.dropped)
        try saveState()
    }

    /// The collector stored the in-flight batch (or refused it for good, `lost`): move past it.
    public func commitInflight(lost: Bool = false) throws {
        guard let batch = inflightBatch else { return }
        cursor = batch.end
        if lost { dropped += UInt64(batch.count) + batch.dropped }
        try saveState()
        SpoolFiles.remove(inflightPath)
        inflightBatch = nil
        // Segments entirely before the cursor are done with.
        while segments.count > 1 && segments[0].index < cursor.segment {
            SpoolFiles.remove(Self.segmentPath(configuration.directory, segments.removeFirst().index))
        }
    }

    /// Gives the in-flight batch's records back (it was never stored, e.g. 413): they are batched again.
    public func returnInflight() throws {
        guard let batch = inflightBatch else { return }
        inflightBatch = nil
        pending += batch.count
        if pendingSince == nil { pendingSince = .now }
        dropped += batch.dropped
        try saveState()
        SpoolFiles.remove(inflightPath)
        if batch.start < cursor { cursor = batch.start }
    }

    // MARK: Helpers

    private var inflightPath: String { FilePaths.join(configuration.directory, "inflight.bin") }

    /// Bytes of records on disk.
    public var totalBytes: Int { segments.reduce(0) { $0 + $1.validBytes } }

    private func saveState() throws {
        let bytes = Array((try? JSONEncoder().encode(State(cursor: cursor, dropped: dropped))) ?? Data())
        try SpoolFiles.replaceAtomically(FilePaths.join(configuration.directory, "state.json"), with: bytes)
    }

    static func segmentPath(_ directory: String, _ index: UInt64) -> String {
        let digits = String(index)
        return FilePaths.join(directory, "seg-" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".log")
    }

    /// Decodes the next framed record from `slice`, returning it and its framed size.
    static func nextRecord(_ slice: inout ArraySlice<UInt8>) -> (SpoolRecord, Int)? {
        var reader = ByteReader(bytes: slice)
        guard let length = reader.u32(), let crc = reader.u32(), length <= 1 << 20,
              let payload = reader.take(Int(length)), CRC32.checksum(payload) == crc,
              let record = SpoolRecordCodec.decode(payload) else { return nil }
        slice = reader.bytes
        return (record, Int(length) + 8)
    }

    /// The valid length of a segment and the number of records from `offset` on.
    static func scan(path: String, from offset: Int) throws -> (valid: Int, records: Int) {
        let size = SpoolFiles.size(path)
        var position = 0
        var records = 0
        while position < size {
            let chunk = try SpoolFiles.read(path, offset: position, count: min(1 << 20, size - position))
            var slice = chunk[...]
            var consumed = 0
            while let (_, recordSize) = nextRecord(&slice) {
                if position + consumed >= offset { records += 1 }
                consumed += recordSize
            }
            if consumed == 0 { break }
            position += consumed
        }
        return (position, records)
    }
}
