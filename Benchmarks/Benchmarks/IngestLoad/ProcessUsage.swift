import Foundation

/// The collector's own CPU time and peak memory, read from /proc.
struct ProcessUsage {
    let pid: Int32

    /// User + system CPU seconds so far.
    func cpuSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident set (VmHWM), MB.
    func peakRSSMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
        return kb / 1_024
    }
}

extension ProcessUsage {
    /// CPU seconds used so far by every process named `command` (its /proc comm), e.g. the PostgreSQL
    /// server's backends; processes that end between two reads drop out, so read over a steady run.
    static func cpuSeconds(command: String) -> Double {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var total = 0.0
        for entry in entries {
            guard let pid = Int32(entry),
                  let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == command else { continue }
            total += ProcessUsage(pid: pid).cpuSeconds()
        }
        return total
    }

    /// The machine's busy and total CPU time so far (all cores, /proc/stat's first line), seconds.
    static func machineSeconds() -> (busy: Double, total: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return (0, 0) }
        // user nice system idle iowait irq softirq steal …
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return (0, 0) }
        let total = ticks.prefix(8).reduce(0, +)
        let idle = ticks[3] + ticks[4]
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((total - idle) / hz, total / hz)
    }
}
