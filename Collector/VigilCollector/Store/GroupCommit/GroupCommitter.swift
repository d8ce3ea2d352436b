import Synchronization

/// Commits the writes of many requests in one transaction (group commit, issue 20).
///
/// A request that arrives while no transaction runs starts one, alone; requests that arrive while one
/// runs wait, and the writer commits them together next (up to `maxGroup`), then the next waiting ones,
/// until none wait. Each request returns only after the transaction holding it has committed, so an
/// answer still means the data is durable, and no request waits longer than the transaction before its
/// own.
///
/// The writer is the store's own serial queue (``submit(_:start:)`` hands it a drain to run): going
/// from one group to the next needs no thread of Swift's cooperative pool, which busy request handlers
/// and report evaluations can hold for a while. ``GroupCommitStateMachine`` makes every decision; this
/// type only carries them out.
final class GroupCommitter<Input: Sendable, Output: Sendable>: Sendable {
    /// Commits a group in one transaction and returns one result per input, in order. A failure of one
    /// input that leaves the others intact is that input's result; a failed transaction fails them all.
    typealias Commit = ([Input]) -> [Result<Output, any Error>]
    /// Runs groups through a ``Commit`` until none is waiting: what the writer runs.
    typealias Drain = @Sendable (Commit) -> Void

    private struct Pending: Sendable {
        let input: Input
        let continuation: CheckedContinuation<Result<Output, any Error>, Never>
    }

    private let machine: Mutex<GroupCommitStateMachine<Pending>>
    private let counts = Mutex(Counts())
    private let onCommit: (@Sendable (_ requests: Int) -> Void)?

    /// Transactions committed and the requests they held, since start.
    struct Counts: Sendable, Equatable {
        var transactions = 0
        var requests = 0
    }

    /// - Parameter maxGroup: the most requests one transaction holds (default 16: with 1,000-heartbeat
    ///   batches, 16,000 heartbeats, about 25 ms of writing: a request waits for at most the group before
    ///   its own, and larger groups saved little more, as each batch costs its rows, not its transaction).
    /// - Parameter onCommit: told the size of each group once its transaction ended (metrics).
    init(maxGroup: Int = 16, onCommit: (@Sendable (_ requests: Int) -> Void)? = nil) {
        machine = Mutex(GroupCommitStateMachine(maxGroup: maxGroup))
        self.onCommit = onCommit
    }

    /// Transactions and requests so far (their ratio is the mean group size).
    var committed: Counts { counts.withLock { $0 } }

    /// Commits `input` with whatever else is waiting and returns its result once committed. When no
    /// transaction runs, `start` is given the drain to run on the writer (every caller passes the same
    /// writer); otherwise the running drain takes the input in a later group.
    func submit(_ input: Input, start: (_ drain: @escaping Drain) -> Void) async throws -> Output {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Output, any Error>, Never>) in
            let pending = Pending(input: input, continuation: continuation)
            if case .commit(let group) = machine.withLock({ $0.submit(pending) }) {
                start { commit in self.drain(from: group, commit) }
            }
        }
        return try result.get()
    }

    /// Commits `first`, answers its requests, and goes on with the groups that waited meanwhile.
    private func drain(from first: [Pending], _ commit: Commit) {
        var group = first
        while true {
            let results = commit(group.map(\.input))
            precondition(results.count == group.count, "a group commit returns one result per input")
            counts.withLock {
                $0.transactions += 1
                $0.requests += group.count
            }
            onCommit?(group.count)
            for (pending, result) in zip(group, results) { pending.continuation.resume(returning: result) }
            guard case .commit(let next) = machine.withLock({ $0.committed() }) else { return }
            group = next
        }
    }
}
