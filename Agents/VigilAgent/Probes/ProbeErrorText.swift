import AsyncHTTPClient
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Short messages for probe failures, as operators read them in `vigil status`.
enum ProbeErrorText {
    static func describe(_ error: any Error, timeoutMs: Int64) -> String {
        let timeout = "timeout after \(DurationTextShort.format(timeoutMs))"
        if error is TimeoutError { return timeout }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout: return timeout
            case .remoteConnectionClosed: return "connection closed by peer"
            case .redirectLimitReached, .redirectCycleDetected: return "too many redirects"
            default: break
            }
        }
        if error is ChannelError, case .connectTimeout = error as! ChannelError { return timeout }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return describe(first.error, timeoutMs: timeoutMs) }
            if connection.dnsAAAAError != nil || connection.dnsAError != nil { return "dns lookup failed for \(connection.host)" }
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connect refused"
            case ECONNRESET: return "connection reset"
            case EHOSTUNREACH: return "host unreachable"
            case ENETUNREACH: return "network unreachable"
            case ETIMEDOUT: return timeout
            default: return "\(io)"
            }
        }
        return String(describing: error)
    }
}

/// `10s`, `500ms`, `1m30s`.
enum DurationTextShort {
    static func format(_ ms: Int64) -> String {
        if ms % 1000 != 0 || ms < 1000 { return "\(ms)ms" }
        let seconds = ms / 1000
        if seconds < 60 || seconds % 60 != 0 { return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds / 60)m"
    }
}
