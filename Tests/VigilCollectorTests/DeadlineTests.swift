import Foundation
import Testing
import VigilCore
@testable import VigilCollector

/// `withDeadline`: every PostgreSQL call's bound, which must hold even when the call ignores
/// cancellation (a postgres-nio lease cancelled just before it was queued once kept CI waiting 90 min).
@Suite("Deadlines")
struct DeadlineTests {
    /// Waits `seconds` on a Dispatch timer, deaf to task cancellation.
    static func deafWait(seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
        }
    }

    @Test("a body that ignores cancellation still gets its answer at the deadline")
    func deafBody() async throws {
        let began = ContinuousClock.now
        await #expect(throws: StoreError.self) {
            try await withDeadline(ms: 200, "a deaf call") {
                await Self.deafWait(seconds: 30)
                return 1
            }
        }
        // The body would take 30 s; the answer comes at the deadline (the bound leaves room for a busy machine).
        #expect(ContinuousClock.now - began < .seconds(10))
    }

    @Test("the body's value and error come through unchanged; the message names what timed out")
    func outcomes() async throws {
        #expect(try await withDeadline(ms: 5_000, "a quick call") { 42 } == 42)
        await #expect(throws: StoreError(.refused, "no")) {
            try await withDeadline(ms: 5_000, "a failing call") { () async throws -> Int in throw StoreError(.refused, "no") }
        }
        do {
            _ = try await withDeadline(ms: 50, "finding an agent") { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 0
            }
            Issue.record("the deadline must end the call")
        } catch let error as StoreError {
            #expect(error.code == .unavailable)
            #expect(error.message == "PostgreSQL did not answer finding an agent within 50 ms")
        }
    }

    @Test("a value that comes after the deadline goes to `late` (where a late connection is closed)")
    func lateValue() async throws {
        let (values, sink) = AsyncStream.makeStream(of: Int.self)
        await #expect(throws: StoreError.self) {
            try await withDeadline(ms: 50, "a slow connect", late: { sink.yield($0) }) {
                await Self.deafWait(seconds: 0.3)
                return 7
            }
        }
        for await value in values {
            #expect(value == 7)
            break
        }
        // A value in time is the answer and never late.
        let (none, quiet) = AsyncStream.makeStream(of: Int.self)
        #expect(try await withDeadline(ms: 5_000, "a quick connect", late: { quiet.yield($0) }) { 8 } == 8)
        quiet.finish()
        var lateOnes: [Int] = []
        for await value in none { lateOnes.append(value) }
        #expect(lateOnes.isEmpty)
    }

    @Test("a cancelled caller gets CancellationError at once, whether cancelled before or during the call")
    func cancelled() async throws {
        let during = Task {
            try await withDeadline(ms: 60_000, "a deaf call") {
                await Self.deafWait(seconds: 30)
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let began = ContinuousClock.now
        during.cancel()
        await #expect(throws: CancellationError.self) { try await during.value }
        #expect(ContinuousClock.now - began < .seconds(10))

        let before = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(ms: 60_000, "a deaf call") {
                await Self.deafWait(seconds: 30)
                return 1
            }
        }
        await #expect(throws: CancellationError.self) { try await before.value }
    }
}
