import Foundation

/// Runs a command hook: the program (no shell) gets the event JSON on stdin and `VIGIL_EVENT_TYPE`,
/// `VIGIL_SEVERITY`, `VIGIL_SERVICE`, `VIGIL_SUMMARY`, `VIGIL_DEDUPE_KEY` and `VIGIL_DELIVERY_ID` in its
/// environment; exit 0 means delivered. Past the timeout it is killed.
enum CommandHook {
    static func run(argv: [String], body: String, delivery: String, timeoutMs: Int64) async -> (delivered: Bool, answer: String) {
        let fields = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        var environment = ProcessInfo.processInfo.environment
        for (name, key) in [("VIGIL_EVENT_TYPE", "type"), ("VIGIL_SEVERITY", "severity"), ("VIGIL_SERVICE", "service"), ("VIGIL_SUMMARY", "summary"), ("VIGIL_DEDUPE_KEY", "dedupe_key")] {
            environment[name] = fields[key] as? String ?? ""
        }
        environment["VIGIL_DELIVERY_ID"] = delivery
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0].contains("/") ? argv[0] : "/usr/bin/env")
        process.arguments = argv[0].contains("/") ? Array(argv.dropFirst()) : argv
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        // Output is not read: a background child keeping a pipe open must not hold the dispatcher.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            return (false, "cannot run \(argv[0]): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(body.utf8))
        try? input.fileHandleForWriting.close()
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                var iterator = finished.stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                guard (try? await Task.sleep(for: .milliseconds(timeoutMs))) != nil else { return nil }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else { return (false, "timeout after \(timeoutMs) ms; killed") }
        return (status == 0, "exit \(status)")
    }
}
