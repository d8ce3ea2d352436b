/// Group commit's decisions, without I/O (issue 20): requests that arrive while a transaction commits
/// wait and are committed together by the next one, so one writer serves many requests a transaction
/// and none waits longer than the commit before its own.
///
/// The machine decides who commits what; ``GroupCommitter`` carries it out.
struct GroupCommitStateMachine<Request> {
    enum State {
        /// No transaction is running.
        case idle
        /// A transaction is running; these arrived since it started, oldest first.
        case committing(waiting: [Request])
    }

    /// What the caller of a transition must do.
    enum Action {
        /// Commit these requests in one transaction (the caller leads it).
        case commit([Request])
        /// Nothing now: the request waits for a later commit.
        case wait
        /// Nothing: no request is waiting.
        case none
    }

    private(set) var state: State = .idle
    /// The most requests one transaction takes; more wait for the next.
    let maxGroup: Int

    init(maxGroup: Int) {
        precondition(maxGroup >= 1, "a group holds at least one request")
        self.maxGroup = maxGroup
    }

    /// A request arrived: it is committed at once when no transaction runs, else it waits.
    mutating func submit(_ request: Request) -> Action {
        switch state {
        case .idle:
            state = .committing(waiting: [])
            return .commit([request])
        case .committing(var waiting):
            waiting.append(request)
            state = .committing(waiting: waiting)
            return .wait
        }
    }

    /// The running transaction ended (committed or not): the requests that waited, up to ``maxGroup``,
    /// are the next group.
    mutating func committed() -> Action {
        guard case .committing(let waiting) = state else {
            preconditionFailure("committed() without a running transaction")
        }
        if waiting.isEmpty {
            state = .idle
            return .none
        }
        let group = Array(waiting.prefix(maxGroup))
        state = .committing(waiting: Array(waiting.dropFirst(maxGroup)))
        return .commit(group)
    }

    /// How many requests wait for the next transaction.
    var waiting: Int {
        if case .committing(let waiting) = state { return waiting.count }
        return 0
    }
}
