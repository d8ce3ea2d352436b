#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore

/// The definitions of every check that has records in the spool, kept in `checks.json` beside the
/// segments: heartbeats spooled before a config change are shipped under the definition they were
/// taken with, even when the check has since been removed.
enum CheckRegistry {
    private struct Entry: Codable {
        var service: String
        var kind: String
        var target: String
        var interval_ms: UInt32
        var timeout_ms: UInt32
    }

    /// Merges `current` (which wins) into the stored registry, saves it, and returns the whole of it.
    static func update(directory: String, current: [CheckDefinition]) throws -> [String: CheckDefinition] {
        let path = FilePaths.join(directory, "checks.json")
        var entries = (try? Data(contentsOf: URL(fileURLWithPath: path)))
            .flatMap { try? JSONDecoder().decode([String: Entry].self, from: $0) } ?? [:]
        for check in current {
            entries[check.name] = Entry(
                service: check.service, kind: check.kind, target: check.target,
                interval_ms: check.intervalMs, timeout_ms: check.timeoutMs
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try SpoolFiles.replaceAtomically(path, with: Array(try encoder.encode(entries)))
        var registry: [String: CheckDefinition] = [:]
        for (name, entry) in entries {
            registry[name] = CheckDefinition(
                id: 0, name: name, service: entry.service, kind: entry.kind, target: entry.target,
                intervalMs: entry.interval_ms, timeoutMs: entry.timeout_ms
            )
        }
        return registry
    }
}
