/// Thrown by ``withTimeout(milliseconds:_:)`` when the work did not finish in time.
struct TimeoutError: Error, Sendable {
    var milliseconds: Int64
}

/// Runs `work`, cancelling it and throwing ``TimeoutError`` when it takes longer than `milliseconds`.
func withTimeout<T: Sendable>(milliseconds: Int64, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(milliseconds))
            throw TimeoutError(milliseconds: milliseconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
