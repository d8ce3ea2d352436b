import GRDB

/// SQLite's storage failures (a full disk, a read-only or corrupted file, an I/O error) as
/// ``StoreError/Code/unavailable``: routes answer `503 store_unavailable` with `Retry-After`, so agents
/// keep their data and retry, rather than a bare 500 (issue 19).
extension SQLiteStore {
    /// `pool.write`, with storage failures mapped.
    func writing<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch let error as DatabaseError {
            throw Self.storeError(error) ?? error
        }
    }

    /// `pool.read`, with storage failures mapped.
    func reading<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch let error as DatabaseError {
            throw Self.storeError(error) ?? error
        }
    }

    /// The store error for a failure of the storage itself; `nil` for other database errors (a broken
    /// rule of the data, a bug), which stay as they are.
    static func storeError(_ error: DatabaseError) -> StoreError? {
        let what: String
        switch error.resultCode {
        case .SQLITE_FULL: what = "the disk is full"
        case .SQLITE_READONLY: what = "the database file is read-only"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: what = "the database file is corrupted"
        case .SQLITE_IOERR: what = "an I/O error"
        case .SQLITE_CANTOPEN, .SQLITE_PERM: what = "the database file cannot be opened"
        case .SQLITE_BUSY, .SQLITE_LOCKED: what = "the database is busy"
        case .SQLITE_NOMEM: what = "out of memory"
        default: return nil
        }
        return StoreError(.unavailable, "the SQLite store cannot be used: \(what) (\(error.extendedResultCode): \(error.message ?? "no detail"))")
    }
}
