#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOPosix
import VigilCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with the Nagios plugin convention: exit 0 up, 1 degraded, 2 down, 3 (or anything
/// else) unknown; the first line of its output is the message. The program runs in its own process group
/// with stdin from /dev/null; on timeout the whole group is killed and the check is down.
public struct CommandProbe: Probe {
    /// Program and arguments (no shell). A program without a slash is looked up in `PATH`.
    public var argv: [String]
    /// Timeout, ms.
    public var timeoutMs: Int64

    public init(argv: [String], timeoutMs: Int64) {
        precondition(!argv.isEmpty, "a command needs a program")
        self.argv = argv
        self.timeoutMs = timeoutMs
    }

    /// Output bytes kept at most (the rest is read and discarded so the program never blocks).
    static let maxOutputBytes = 64 << 10

    /// Threads that wait for command output. Not the shared NIO pool: that one has a thread per core, and
    /// a few hanging plugins would hold every thread and delay the reaping of commands already killed.
    static let waiters: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        var spawned: (pid: pid_t, output: Int32)?
        for attempt in 0..<5 {
            do {
                spawned = try Self.spawn(argv)
                break
            } catch let error as CommandError where error.code == ETXTBSY && attempt < 4 {
                // Another thread had the program open for writing while forking ("text file busy"):
                // a race that passes in milliseconds.
                try? await Task.sleep(for: .milliseconds(20 << attempt))
            } catch {
                return ProbeResult(status: .unknown, latencyUs: (clock.now - start).microseconds, message: "\(error)")
            }
        }
        guard let spawned else {
            return ProbeResult(status: .unknown, latencyUs: (clock.now - start).microseconds, message: "cannot run \(argv[0])")
        }
        let outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome in
            group.addTask {
                try? await Self.waiters.runIfActive { Self.collect(pid: spawned.pid, fd: spawned.output) }
            }
            group.addTask { [timeoutMs] in
                guard (try? await Task.sleep(for: .milliseconds(timeoutMs))) != nil else { return nil }
                kill(-spawned.pid, SIGKILL)
                return .timedOut
            }
            var timedOut = false
            var finished: Outcome?
            while let next = await group.next() {
                switch next {
                case .timedOut?: timedOut = true
                case let result?:
                    finished = result
                    group.cancelAll()
                case nil: break
                }
            }
            return timedOut ? .timedOut : (finished ?? .failed("could not collect the program's result"))
        }
        let latency = (clock.now - start).microseconds
        switch outcome {
        case .timedOut:
            return ProbeResult(status: .down, latencyUs: latency, message: "timeout after \(DurationText.format(milliseconds: timeoutMs)); process group killed")
        case .failed(let message):
            return ProbeResult(status: .unknown, latencyUs: latency, message: message)
        case .signalled(let signal, let output):
            return ProbeResult(status: .unknown, latencyUs: latency, message: Self.firstLine(output) ?? "killed by signal \(signal)")
        case .exited(let code, let output):
            let status: CheckStatus = switch code {
            case 0: .up
            case 1: .degraded
            case 2: .down
            default: .unknown
            }
            return ProbeResult(status: status, latencyUs: latency, code: code, message: Self.firstLine(output) ?? "exit \(code)")
        }
    }

    enum Outcome: Sendable {
        case exited(Int32, [UInt8])
        case signalled(Int32, [UInt8])
        case timedOut
        case failed(String)
    }

    static func firstLine(_ output: [UInt8]) -> String? {
        let text = String(decoding: output, as: UTF8.self)
        let line = text.prefix { !$0.isNewline }.trimmingSpaces()
        return line.isEmpty ? nil : String(line.prefix(200))
    }

    /// Reads the program's output to the end, then reaps it. Runs on a thread of the NIO thread pool.
    static func collect(pid: pid_t, fd: Int32) -> Outcome {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if output.count < maxOutputBytes { output += buffer.prefix(min(count, maxOutputBytes - output.count)) }
        }
        close(fd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .failed("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        // Reap anything left in the group (a background child that outlived its parent).
        kill(-pid, SIGKILL)
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff, output) }
        return .signalled(low, output)
    }

    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 on), which the Glibc module does not
    /// declare (it is behind `_GNU_SOURCE`): looked up once; `nil` on an older C library, where the
    /// plugin inherits what was not opened close-on-exec.
    static let addCloseFrom: AddCloseFrom? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
        #else
        return nil
        #endif
    }()

    /// Starts `argv` in a new process group, stdout and stderr into one pipe, stdin from /dev/null.
    static func spawn(_ argv: [String]) throws -> (pid_t, Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw CommandError("cannot create a pipe: \(String(cString: strerror(errno)))", code: errno) }
        // Not inherited by programs other threads start at the same moment.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // The plugin gets stdin, stdout and stderr only: no agent socket or spool file, and no descriptor
        // another thread opened without close-on-exec (a file being written then stays "busy" for as long
        // as the plugin runs, and running it fails with ETXTBSY).
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let result = cArgs.withUnsafeBufferPointer { args in
            argv[0].contains("/")
                ? posix_spawn(&pid, argv[0], &actions, &attributes, args.baseAddress!, environ)
                : posix_spawnp(&pid, argv[0], &actions, &attributes, args.baseAddress!, environ)
        }
        close(fds[1])
        guard result == 0 else {
            close(fds[0])
            throw CommandError("cannot run \(argv[0]): \(String(cString: strerror(result)))", code: result)
        }
        return (pid, fds[0])
    }
}

/// Why a command could not be started.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    /// The errno behind it.
    var code: Int32
    init(_ description: String, code: Int32) {
        self.description = description
        self.code = code
    }
}
