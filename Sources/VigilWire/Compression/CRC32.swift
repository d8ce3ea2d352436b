import CZlib

/// CRC-32 (the zlib/IEEE polynomial), for record checksums.
public enum CRC32 {
    /// The checksum of `bytes`.
    public static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        let value = bytes.withContiguousStorageIfAvailable { buffer in
            UInt32(crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
        if let value { return value }
        let copy = Array(bytes)
        return copy.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
