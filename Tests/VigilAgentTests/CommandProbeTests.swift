import Foundation
import Testing
import VigilTestSupport
@testable import VigilAgent

@Suite("Command checks (Nagios plugin convention)")
struct CommandProbeTests {
    static func script(_ directory: TemporaryDirectory, _ name: String, _ body: String) throws -> String {
        let path = directory.path + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("exit codes map to states and the first line is the message", arguments: [
        (0, "up"), (1, "degraded"), (2, "down"), (3, "unknown"), (7, "unknown"),
    ])
    func exitCodes(code: Int, state: String) async throws {
        let directory = try TemporaryDirectory("command")
        defer { directory.remove() }
        let path = try Self.script(directory, "check", "echo 'CHECK \(code) - details | perf=1'\necho second line\nexit \(code)")
        let result = await CommandProbe(argv: [path], timeoutMs: 5_000).run()
        #expect(result.status.rawValue == state)
        #expect(result.code == Int32(code))
        #expect(result.message == "CHECK \(code) - details | perf=1")
    }

    @Test("arguments pass through without a shell; PATH lookup works")
    func arguments() async {
        let result = await CommandProbe(argv: ["sh", "-c", "echo \"$0 $1\"; exit 1", "a b", "$HOME"], timeoutMs: 5_000).run()
        #expect(result.status == .degraded)
        #expect(result.message == "a b $HOME")
    }

    @Test("a timeout kills the whole process group and is down")
    func timeoutKillsGroup() async throws {
        let directory = try TemporaryDirectory("command")
        defer { directory.remove() }
        let pidFile = directory.path + "/child.pid"
        let path = try Self.script(directory, "hang", "sleep 30 &\necho $! > \(pidFile)\necho waiting\nwait")
        let clock = ContinuousClock()
        let start = clock.now
        // 1.5 s leaves a loaded machine time to start the shell and write the pid file before the kill.
        let result = await CommandProbe(argv: [path], timeoutMs: 1_500).run()
        #expect(clock.now - start < .seconds(10))
        #expect(result.status == .down)
        #expect(result.message == "timeout after 1500ms; process group killed")
        let childPID = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try await Task.sleep(for: .milliseconds(200))
        // The background child is gone (or a zombie waiting for init to reap it), not still sleeping.
        let stat = (try? String(contentsOfFile: "/proc/\(childPID)/stat", encoding: .utf8)) ?? ""
        #expect(stat.isEmpty || stat.contains(") Z "), "child still running: \(stat)")
    }

    @Test("the program inherits stdin, stdout and stderr only, not the agent's other descriptors")
    func noInheritedDescriptors() async throws {
        #expect(CommandProbe.addCloseFrom != nil, "glibc 2.34 or later has posix_spawn_file_actions_addclosefrom_np")
        let directory = try TemporaryDirectory("command")
        defer { directory.remove() }
        // Opened without close-on-exec, as a file another thread is writing may be.
        let fd = open(directory.path + "/open-for-writing", O_WRONLY | O_CREAT, 0o644)
        #expect(fd > 2)
        defer { close(fd) }
        let result = await CommandProbe(argv: ["sh", "-c", "if [ -e /proc/$$/fd/\(fd) ]; then echo inherited; else echo closed; fi"], timeoutMs: 5_000).run()
        #expect(result.message == "closed")
    }

    @Test("a program that cannot start is unknown with the reason")
    func missingProgram() async {
        let result = await CommandProbe(argv: ["/nonexistent/check_nothing"], timeoutMs: 1_000).run()
        #expect(result.status == .unknown)
        #expect(result.message.contains("cannot run /nonexistent/check_nothing"))
    }
}
