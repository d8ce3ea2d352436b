import AsyncHTTPClient
import VigilCore
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
        let timeout = "timeout after \(DurationText.format(milliseconds: timeoutMs))"
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
