import VigilCore

/// History loaded in bulk through ``Store/importHistory(_:)``.
public struct HistoryImport: Sendable {
    /// One check and its runs.
    public struct Check: Sendable {
        /// The agent (location) that ran it.
        public var agentName: String
        /// Its definition (the `id` is the agent-local id).
        public var definition: CheckDefinition
        /// Its runs, sorted by start and non-overlapping.
        public var runs: [StateInterval]

        public init(agentName: String, definition: CheckDefinition, runs: [StateInterval]) {
            self.agentName = agentName
            self.definition = definition
            self.runs = runs
        }
    }

    /// One rollup row.
    public struct Rollup: Sendable {
        public var service: String
        /// 60 000, 3 600 000 or 86 400 000.
        public var resolutionMs: Int64
        /// Aligned to the resolution (UTC).
        public var startMs: Int64
        public var counts: ProbeCounts

        public init(service: String, resolutionMs: Int64, startMs: Int64, counts: ProbeCounts) {
            self.service = service
            self.resolutionMs = resolutionMs
            self.startMs = startMs
            self.counts = counts
        }
    }

    public var checks: [Check]
    public var rollups: [Rollup]

    public init(checks: [Check] = [], rollups: [Rollup] = []) {
        self.checks = checks
        self.rollups = rollups
    }

    /// Each imported service with its earliest run: where its outages must be derived again.
    var outageChanges: [String: Int64] {
        var changes: [String: Int64] = [:]
        for check in checks {
            let first = check.runs.first?.startMs ?? Int64.max
            changes[check.definition.service] = min(changes[check.definition.service] ?? first, first)
        }
        return changes
    }
}
