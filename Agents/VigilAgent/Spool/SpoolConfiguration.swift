/// Where and how the agent spools heartbeats before shipping.
public struct SpoolConfiguration: Sendable, Hashable {
    /// The spool directory. Default: `spool` beside the config file.
    public var directory: String
    /// Largest total size of the spool, bytes; past it the oldest segment is dropped and its unsent
    /// heartbeats are reported in `dropped`. Default 64 MiB.
    public var maxBytes: Int = 64 << 20
    /// How often appended records are fsynced, ms. A `kill -9` loses nothing (the data is in the page
    /// cache); a power cut loses at most this much. Default 1 s.
    public var fsyncIntervalMs: Int64 = 1_000

    public init(directory: String, maxBytes: Int = 64 << 20, fsyncIntervalMs: Int64 = 1_000) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.fsyncIntervalMs = fsyncIntervalMs
    }

    /// Segment size: an eighth of the spool, between 64 KiB and 4 MiB.
    var segmentBytes: Int { min(4 << 20, max(64 << 10, maxBytes / 8)) }
}
