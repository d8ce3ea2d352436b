import Synchronization

/// Closes the moment between an ingest transaction's commit and the store's memory (``TipCache``,
/// ``WriteBehind``) taking what it did (issue 20).
///
/// Requests are answered only once both are done, so no client sees the gap. The outage tracker does:
/// it reads the change feed from the file, where a commit is visible as soon as it is made, and then
/// reads the checks' intervals, whose growing tips are in memory only. Read in the gap, a derivation
/// would miss the newest heartbeats of the very change it clears. The writer calls ``begin()`` before
/// each ingest transaction and ``end()`` once its memory is updated; a reader of the feed calls
/// ``waitForCommitsBegun()`` after its read: every commit it can have seen had begun by then.
final class CommitPublication: Sendable {
    private let begun = Atomic<Int>(0)
    private let ended = Atomic<Int>(0)

    /// Before the writer starts an ingest transaction.
    func begin() { begun.add(1, ordering: .sequentiallyConsistent) }

    /// After the writer has applied the transaction's effects to memory (or the transaction failed).
    func end() { ended.add(1, ordering: .sequentiallyConsistent) }

    /// Returns once every transaction begun before the call has ended: at most about one transaction's
    /// time, as the writer runs one at a time. Throws only when the task is cancelled.
    func waitForCommitsBegun() async throws {
        let target = begun.load(ordering: .sequentiallyConsistent)
        while ended.load(ordering: .sequentiallyConsistent) < target {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
