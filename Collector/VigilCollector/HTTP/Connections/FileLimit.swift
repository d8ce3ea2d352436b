#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The process's open-file limit, which bounds how many connections can be served: at the limit,
/// `accept` fails and the listener spins (issue 19: ~1,000 bare sockets at a 1,024 limit held the
/// collector at 98 % CPU with `/healthz` timing out).
enum FileLimit {
    /// Raises the soft limit to the hard one (as Go and many servers do at start), then returns `wanted`
    /// capped at that limit less ``ConnectionLimits/reservedFiles`` and the over-limit grace, logging
    /// when it had to cap.
    static func connectionCap(_ wanted: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let files = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no cap
        let cap = max(1, files - ConnectionLimits.reservedFiles - ConnectionLimits.overLimitGrace)
        guard wanted > cap else { return wanted }
        logger.warning("connections.max is above what the open-file limit allows; serving fewer", metadata: [
            "connections_max": "\(wanted)", "serving": "\(cap)", "open_file_limit": "\(files)",
        ])
        return cap
    }
}
