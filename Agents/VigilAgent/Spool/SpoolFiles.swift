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

/// Thin POSIX file helpers for the spool: appends, positioned reads, fsync and atomic replacement.
enum SpoolFiles {
    static func failure(_ what: String, _ path: String) -> SpoolError {
        SpoolError(.io, "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Opens `path` for appending, creating it.
    static func openForAppend(_ path: String) throws(SpoolError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open", path) }
        return fd
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", path)
            }
            written += result
        }
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    static func read(_ path: String, offset: Int, count: Int) throws(SpoolError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open", path) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + total, count - total, off_t(offset + total))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read", path)
            }
            if result == 0 { break }
            total += result
        }
        buffer.removeLast(count - total)
        return buffer
    }

    /// The size of the file at `path`, 0 when missing.
    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    static func truncate(_ path: String, to length: Int) throws(SpoolError) {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw failure("cannot truncate", path) }
    }

    static func sync(_ fd: Int32) {
        _ = fsync(fd)
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old or the new content.
    static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(SpoolError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create", temporary) }
        do {
            try writeAll(fd, bytes, path: temporary)
        } catch {
            close(fd)
            throw error
        }
        _ = fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else { throw failure("cannot rename onto", path) }
        syncDirectory(FilePaths.directory(of: path))
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
