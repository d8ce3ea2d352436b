import PostgresNIO
import Synchronization

/// Runs `body` but gives up after `ms` milliseconds with ``StoreError/Code/unavailable``: postgres-nio's
/// pool waits for a connection forever (a wrong password, a dead server), and a store call must not.
///
/// The deadline holds even when `body` does not: at the deadline (or when the caller is cancelled) the
/// answer comes at once and `body` is cancelled and left to end on its own. A task group would wait for
/// `body` to end, and a postgres-nio call that misses its cancellation (a lease cancelled just before
/// it is queued) kept a collector's shutdown, and CI, waiting forever. A value `body` returns after
/// the answer was given goes to `late` (a connection that opened too late is closed there).
func withDeadline<T: Sendable>(
    ms: Int64, _ what: String, late: (@Sendable (T) -> Void)? = nil, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>(late: late)
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            guard race.begin(continuation) else { return }
            race.track(Task {
                do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
            })
            race.track(Task {
                try? await Task.sleep(for: .milliseconds(ms))
                race.finish(.failure(StoreError(.unavailable, "PostgreSQL did not answer \(what) within \(ms) ms")))
            })
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

extension PostgresConnection {
    /// Closes the connection, waiting at most `ms` for it: a close is never worth a hang. The close
    /// starts even when the caller is cancelled (a connection must not be left open, and postgres-nio
    /// asserts that none is dropped unclosed).
    func close(within ms: Int64) async {
        let closing = Task { [self] in try? await close() }
        _ = try? await withDeadline(ms: ms, "closing a connection") {
            await closing.value
            return true
        }
    }
}

/// The first of ``withDeadline(ms:_:_:)``'s outcomes (the body's answer, the deadline, the caller's
/// cancellation) resumes the caller; the others are ignored and the racing tasks cancelled.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State: ~Copyable {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var finished = false
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let late: (@Sendable (T) -> Void)?

    init(late: (@Sendable (T) -> Void)?) {
        self.late = late
    }

    /// Hands over the caller's continuation; false (and the continuation resumed) when the race was
    /// already decided, by a cancellation before it began.
    func begin(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early: Result<T, any Error>? = state.withLock { state in
            if state.finished { return state.early }
            state.continuation = continuation
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    /// A racing task, cancelled once the race is decided.
    func track(_ task: Task<Void, Never>) {
        let decided = state.withLock { state in
            if !state.finished { state.tasks.append(task) }
            return state.finished
        }
        if decided { task.cancel() }
    }

    /// The outcome, when it is the first; a value that comes after it goes to `late`.
    func finish(_ result: Result<T, any Error>) {
        let (first, continuation, tasks): (Bool, CheckedContinuation<T, any Error>?, [Task<Void, Never>]) = state.withLock { state in
            guard !state.finished else { return (false, nil, []) }
            state.finished = true
            let continuation = state.continuation
            if continuation == nil { state.early = result }
            state.continuation = nil
            defer { state.tasks = [] }
            return (true, continuation, state.tasks)
        }
        guard first else {
            if case .success(let value) = result { late?(value) }
            return
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}

/// What went wrong talking to PostgreSQL, in words: the server's message and SQLSTATE when it sent one
/// (PSQLError's own description hides them).
func describePostgresError(_ error: any Error) -> String {
    if let store = error as? StoreError { return store.message }
    guard let psql = error as? PSQLError else { return "\(error)" }
    if let message = psql.serverInfo?[.message] {
        let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
        return message + state
    }
    if let underlying = psql.underlying { return "\(underlying)" }
    return "\(psql.code)"
}

/// Whether the server refused a row because of a unique constraint (SQLSTATE 23505).
func isUniqueViolation(_ error: any Error) -> Bool {
    (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
}
