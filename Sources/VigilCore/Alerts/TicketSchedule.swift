/// Which tickets an alert pass reads and evaluates (issue 20), so that a pass costs what changed rather
/// than every open ticket.
///
/// A ticket's clocks change state for two reasons only: the ticket changes (an event, an import, an
/// edit: the store's `updated` time moves), or time reaches the instant its next running clock crosses
/// the at-risk share or its target (``TicketClock/nextChangeMs``). So a pass reads the tickets updated
/// since ``settleMs`` before the previous pass, and those whose instant has come; the first pass, and
/// the first after ``reset()``, reads every open ticket.
///
/// Pure: ``plan(nowMs:)`` says what to read, ``finish(_:evaluated:nowMs:)`` records what a pass found once
/// its events are stored. A pass that fails is not finished, and the next plan covers it again.
public struct TicketSchedule: Sendable, Hashable {
    /// What a pass reads.
    public enum Read: Sendable, Hashable {
        /// Every open ticket.
        case allOpen
        /// Tickets updated at or after `updatedSinceMs` (open or not), and the open tickets `due`.
        case changes(updatedSinceMs: Int64, due: [String])
    }

    /// One ticket as a pass found it.
    public struct Evaluated: Sendable, Hashable {
        public var externalID: String
        /// Not solved or closed.
        public var open: Bool
        /// The earliest ``TicketClock/nextChangeMs`` of its clocks.
        public var nextChangeMs: Int64?

        public init(externalID: String, open: Bool, nextChangeMs: Int64?) {
            self.externalID = externalID
            self.open = open
            self.nextChangeMs = nextChangeMs
        }
    }

    /// How far before the previous pass the next one reads updated tickets: the most another
    /// replica's clock, which stamped the update, may lag this one's. Default 5 minutes.
    public var settleMs: Int64
    /// Open tickets with a time-driven change ahead, by external id.
    private var next: [String: Int64] = [:]
    /// Where the next read of updated tickets starts; `nil` before the first finished pass.
    private var readFromMs: Int64?

    public init(settleMs: Int64 = 300_000) {
        self.settleMs = settleMs
    }

    /// What the pass at `nowMs` must read.
    public func plan(nowMs: Int64) -> Read {
        guard let readFromMs else { return .allOpen }
        return .changes(updatedSinceMs: readFromMs, due: next.filter { $0.value <= nowMs }.map(\.key).sorted())
    }

    /// Records a pass whose events were all stored: each ticket read waits for its next instant (or for
    /// a change, when it has none or is no longer open); a due ticket that was not found is forgotten.
    public mutating func finish(_ read: Read, evaluated: [Evaluated], nowMs: Int64) {
        switch read {
        case .allOpen:
            next = [:]
        case .changes(_, let due):
            for id in due { next[id] = nil }
        }
        for ticket in evaluated {
            next[ticket.externalID] = ticket.open ? ticket.nextChangeMs : nil
        }
        readFromMs = max(readFromMs ?? Int64.min, nowMs - settleMs)
        lastEvaluated = evaluated.count
    }

    /// Forgets everything: the next pass reads every open ticket (after leadership moved, since the
    /// passes meanwhile ran elsewhere).
    public mutating func reset() {
        next = [:]
        readFromMs = nil
    }

    /// Open tickets waiting for an instant.
    public var scheduled: Int { next.count }
    /// Tickets the last finished pass evaluated.
    public private(set) var lastEvaluated = 0
}
