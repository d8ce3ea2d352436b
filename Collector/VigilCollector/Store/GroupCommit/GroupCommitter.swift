import Synchronization

/// Commits the writes of many requests in one transaction (group commit, issue 20).
///
/// A request that arrives while no transaction runs commits at once, alone; requests that arrive while
/// one runs wait, and the first of them then leads the next transaction for all of them (up to
/// `maxGroup`). Each request returns only after the transaction holding it has committed, so an answer
/// still means the data is durable, and no request waits longer than the transaction before its own.
///
/// The transaction runs on the task of the request that leads it: there is no task of its own to start
/// or stop. ``GroupCommitStateMachine`` makes every decision; this type only carries them out.
final class GroupCommitter<Input: Sendable, Output: Sendable>: Sendable {
    /// Commits a group in one transaction and returns one result per input, in order. A failure of one
    /// input that leaves the others intact is that input's result; a failed transaction fails them all.
    typealias Commit = @Sendable ([Input]) async -> [Result<Output, any Error>]

    private struct Pending: Sendable {
        let input: Input
        let continuation: CheckedContinuation<Signal, Never>
    }

    private enum Signal: Sendable {
        /// Lead the transaction for this group (its first request is the one resumed).
        case lead([Pending])
        /// Committed (or failed) by another request's transaction.
        case done(Result<Output, any Error>)
    }

    private let machine: Mutex<GroupCommitStateMachine<Pending>>
    private let counts = Mutex(Counts())
    private let onCommit: (@Sendable (_ requests: Int) -> Void)?

    /// Transactions committed and the requests they held, since start.
    struct Counts: Sendable, Equatable {
        var transactions = 0
        var requests = 0
    }

    /// - Parameter maxGroup: the most requests one transaction holds (default 128: with 1,000-heartbeat
    ///   batches, a transaction of 128,000 heartbeats commits in well under 100 ms).
    /// - Parameter onCommit: told the size of each group once its transaction ended (metrics).
    init(maxGroup: Int = 128, onCommit: (@Sendable (_ requests: Int) -> Void)? = nil) {
        machine = Mutex(GroupCommitStateMachine(maxGroup: maxGroup))
        self.onCommit = onCommit
    }

    /// Transactions and requests so far (their ratio is the mean group size).
    var committed: Counts { counts.withLock { $0 } }

    /// Commits `input` with whatever else is waiting, through `commit` (every caller passes the same
    /// one: the request that leads a transaction runs its own), and returns its result once committed.
    func submit(_ input: Input, commit: Commit) async throws -> Output {
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
            let pending = Pending(input: input, continuation: continuation)
            if case .commit(let group) = machine.withLock({ $0.submit(pending) }) {
                continuation.resume(returning: .lead(group))
            }
        }
        switch signal {
        case .done(let result):
            return try result.get()
        case .lead(let group):
            return try await lead(group, commit: commit).get()
        }
    }

    /// Runs one transaction for `group` (whose first request is the caller's), answers the others, and
    /// hands the next group, if any, to its first request.
    private func lead(_ group: [Pending], commit: Commit) async -> Result<Output, any Error> {
        let results = await commit(group.map(\.input))
        precondition(results.count == group.count, "a group commit returns one result per input")
        counts.withLock {
            $0.transactions += 1
            $0.requests += group.count
        }
        onCommit?(group.count)
        for index in group.indices.dropFirst() {
            group[index].continuation.resume(returning: .done(results[index]))
        }
        if case .commit(let next) = machine.withLock({ $0.committed() }) {
            next[0].continuation.resume(returning: .lead(next))
        }
        return results[0]
    }
}
