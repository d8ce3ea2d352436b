import Foundation
import GRDB
import Testing
import VigilTestSupport
@testable import VigilCollector

/// Issue 19: SQLite's storage failures are `unavailable` (503 store_unavailable), other database errors
/// stay as they are; a file that is not a database is refused at open with a clear error.
@Suite("SQLite storage failures")
struct StoreFailureTests {
    @Test("full, read-only, corrupted, I/O and busy map to unavailable with the cause; a constraint does not")
    func mapping() {
        let cases: [(ResultCode, String)] = [
            (.SQLITE_FULL, "the disk is full"), (.SQLITE_READONLY, "the database file is read-only"),
            (.SQLITE_CORRUPT, "the database file is corrupted"), (.SQLITE_NOTADB, "the database file is corrupted"),
            (.SQLITE_IOERR, "an I/O error"), (.SQLITE_CANTOPEN, "the database file cannot be opened"), (.SQLITE_BUSY, "the database is busy"),
        ]
        for (code, cause) in cases {
            let error = SQLiteStore.storeError(DatabaseError(resultCode: code, message: "detail"))
            #expect(error?.code == .unavailable)
            #expect(error?.message.hasPrefix("the SQLite store cannot be used: \(cause) (") == true, "\(error?.message ?? "nil")")
        }
        #expect(SQLiteStore.storeError(DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "x")) == nil)
    }

    @Test("a data file that is not a database is refused at open, naming the file")
    func notADatabase() throws {
        let directory = try TemporaryDirectory("corrupt")
        defer { directory.remove() }
        let path = directory.path + "/vigil.sqlite"
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains(path) == true)
    }
}
