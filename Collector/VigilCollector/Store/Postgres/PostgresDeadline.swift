import PostgresNIO

/// Runs `body` but gives up after `ms` milliseconds with ``StoreError/Code/unavailable``: postgres-nio's
/// pool waits for a connection forever (a wrong password, a dead server), and a store call must not.
func withDeadline<T: Sendable>(
    ms: Int64, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: DeadlineOutcome<T>.self) { group in
        group.addTask { .done(try await body()) }
        group.addTask {
            try await Task.sleep(for: .milliseconds(ms))
            return .timedOut
        }
        defer { group.cancelAll() }
        guard case .done(let value)? = try await group.next() else {
            throw StoreError(.unavailable, "PostgreSQL did not answer \(what) within \(ms) ms")
        }
        return value
    }
}

/// Which of the racing tasks in ``withDeadline(ms:_:_:)`` finished first.
private enum DeadlineOutcome<T: Sendable>: Sendable {
    case done(T)
    case timedOut
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
