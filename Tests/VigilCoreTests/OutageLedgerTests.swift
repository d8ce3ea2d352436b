import Testing
@testable import VigilCore

/// The pure parts of stored outages (issue 20): which folds are changes, where a derivation starts,
/// and what it writes.
@Suite("Outage ledger")
struct OutageLedgerTests {
    func run(_ status: CheckStatus, _ start: Int64, _ end: Int64, beats: Int64 = 1, message: String = "") -> StateInterval {
        StateInterval(status: status, startMs: start, endMs: end, lastBeatMs: end - 10, beats: beats, message: message)
    }

    func outage(_ start: Int64, _ end: Int64, ongoing: Bool = false, message: String = "m") -> Outage {
        Outage(service: "s", range: TimeRange(startMs: start, endMs: end), ongoing: ongoing, locations: ["a/c"], firstMessage: message,
               detectedAtMs: start + 5, inMaintenance: false, eligibleDownMs: 0)
    }

    @Test("only successes after a success tip, with nothing stored past it, are not a change")
    func mayChange() {
        let tip = run(.up, 0, 100)
        #expect(!OutageLedger.mayChange(tip: tip, firstMs: 95, allSucceeded: true, successThreshold: 1, latestOutageEndMs: nil))
        #expect(!OutageLedger.mayChange(tip: run(.degraded, 0, 100), firstMs: 200, allSucceeded: true, successThreshold: 1, latestOutageEndMs: 100))
        // A failure, a first heartbeat, a failing tip, a late heartbeat, a success threshold above 1, and
        // an outage reaching past the tip's end are all changes.
        #expect(OutageLedger.mayChange(tip: tip, firstMs: 95, allSucceeded: false, successThreshold: 1, latestOutageEndMs: nil))
        #expect(OutageLedger.mayChange(tip: nil, firstMs: 95, allSucceeded: true, successThreshold: 1, latestOutageEndMs: nil))
        #expect(OutageLedger.mayChange(tip: run(.down, 0, 100), firstMs: 95, allSucceeded: true, successThreshold: 1, latestOutageEndMs: nil))
        #expect(OutageLedger.mayChange(tip: tip, firstMs: 80, allSucceeded: true, successThreshold: 1, latestOutageEndMs: nil))
        #expect(OutageLedger.mayChange(tip: tip, firstMs: 95, allSucceeded: true, successThreshold: 2, latestOutageEndMs: nil))
        #expect(OutageLedger.mayChange(tip: tip, firstMs: 95, allSucceeded: true, successThreshold: 1, latestOutageEndMs: 101))
    }

    @Test("the span moves back before every stored outage that reaches into it, chained")
    func spanStart() {
        #expect(OutageLedger.spanStart(fromMs: 1_000, stored: [], lookbackMs: 100) == 900)
        #expect(OutageLedger.spanStart(fromMs: 1_000, stored: [outage(950, 990)], lookbackMs: 100) == 900, "starts inside: nothing to move")
        #expect(OutageLedger.spanStart(fromMs: 1_000, stored: [outage(850, 990)], lookbackMs: 100) == 750)
        // Moving back to 750 reaches the one from 700 to 760: back again to 600.
        #expect(OutageLedger.spanStart(fromMs: 1_000, stored: [outage(850, 990), outage(700, 760), outage(100, 200)], lookbackMs: 100) == 600)
    }

    @Test("a first streak that may go on before the span moves it back; a clean one does not")
    func unsettled() {
        let two = Confirmation(failureThreshold: 2, successThreshold: 2)
        let one = Confirmation()
        #expect(OutageLedger.unsettledStart(runs: [run(.down, 50, 150), run(.up, 150, 300)], spanStartMs: 100, confirmation: one) == 50)
        #expect(OutageLedger.unsettledStart(runs: [run(.up, 50, 150), run(.down, 150, 300)], spanStartMs: 100, confirmation: one) == nil)
        #expect(OutageLedger.unsettledStart(runs: [run(.unknown, 50, 150)], spanStartMs: 100, confirmation: one) == nil)
        #expect(OutageLedger.unsettledStart(runs: [run(.down, 120, 150)], spanStartMs: 100, confirmation: one) == nil, "a gap before it")
        // Under two successes to recover, a one-heartbeat success streak may still be down.
        #expect(OutageLedger.unsettledStart(runs: [run(.up, 50, 150), run(.down, 150, 300)], spanStartMs: 100, confirmation: two) == 50)
        #expect(OutageLedger.unsettledStart(runs: [run(.up, 50, 150), run(.degraded, 150, 200), run(.down, 200, 300)], spanStartMs: 100, confirmation: two) == nil)
        #expect(OutageLedger.unsettledStart(runs: [], spanStartMs: 100, confirmation: two) == nil)
    }

    @Test("reconcile writes new and changed outages, removes those the data no longer holds, leaves the rest")
    func reconcile() {
        let stored = [outage(10, 20), outage(100, 200), outage(300, 400, ongoing: true), outage(500, 600)]
        let derived = [outage(100, 200), outage(300, 420), outage(700, 800)]
        let changes = OutageLedger.reconcile(stored: stored, derived: derived, spanStartMs: 50)
        #expect(changes.upserts == [outage(300, 420), outage(700, 800)])
        #expect(changes.deletions == [500], "the one before the span stays")
        #expect(OutageLedger.reconcile(stored: stored, derived: [outage(100, 200, message: "other")] , spanStartMs: 90).upserts.map(\.firstMessage) == ["other"])
    }

    @Test("opened for a confirmed outage that is recent or going on, resolved once it ended; nothing in maintenance")
    func events() {
        let ended = outage(1_000, 2_000)
        #expect(OutageLedger.events(for: ended, changedAtMs: 2_500, recentMs: 600).map(\.type) == ["outage.opened", "outage.resolved"])
        #expect(OutageLedger.events(for: ended, changedAtMs: 2_700, recentMs: 600).isEmpty, "old news")
        #expect(OutageLedger.events(for: outage(1_000, 9_000, ongoing: true), changedAtMs: 100_000, recentMs: 600).map(\.type) == ["outage.opened"])
        var quiet = ended
        quiet.inMaintenance = true
        #expect(OutageLedger.events(for: quiet, changedAtMs: 2_000, recentMs: 600).isEmpty)
        var blip = ended
        blip.detectedAtMs = nil
        #expect(OutageLedger.events(for: blip, changedAtMs: 2_000, recentMs: 600).isEmpty, "never confirmed: no alert")
    }
}
