import VigilCore

/// Everything the collector keeps (DESIGN §9). SQLite is the embedded default; other engines implement
/// the same protocol and pass the same conformance tests.
///
/// Availability is stored as state intervals (one row per state change per check), never as individual
/// heartbeats; raw batches are kept as received for audit.
///
/// `Store` is the sum of narrow roles (issue 20), and each part of the collector takes the narrowest it
/// needs: ``CredentialStore`` (tokens and agents), ``IngestStore``, ``HistoryStore`` (what reports read),
/// ``TicketStore``, ``AlertStore`` (the alert outbox, episodes and silences), ``OutageStore`` (outages
/// as stored facts and their change feed), ``MaintenanceStore`` and ``ReplicaStore``.
public protocol Store: CredentialStore, IngestStore, HistoryStore, TicketStore, AlertStore, OutageStore, MaintenanceStore, ReplicaStore {}

/// What SLA reports read: the history, and the maintenance windows added through the API.
public typealias ReportStore = HistoryStore & MaintenanceStore

/// Operator API tokens and registered agents.
public protocol CredentialStore: Sendable {
    // MARK: Tokens

    /// Adds an operator API token by hash, with its name and scope; nothing happens when the hash exists.
    func addAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws
    /// Adds a named token; throws ``StoreError/Code/alreadyExists`` when a token has that name.
    func createAPIToken(hash: String, name: String, scope: TokenScope, nowMs: Int64) async throws -> APITokenRecord
    /// The scope of the live API token with this hash, or nil when there is none (or it was revoked).
    func apiTokenScope(hash: String) async throws -> TokenScope?
    /// All live API tokens, by name (never their hashes).
    func apiTokens() async throws -> [APITokenRecord]
    /// Revokes every live token named `name` and returns how many. A revoked token is kept, marked, so
    /// ``addAPIToken(hash:name:scope:nowMs:)`` can never bring it back. Throws ``StoreError/Code/notFound``
    /// when no live token has that name and ``StoreError/Code/refused`` when it would leave no admin token.
    func revokeAPITokens(name: String) async throws -> Int


    /// Registers an agent; throws ``StoreError/Code/alreadyExists`` when the name is taken.
    func registerAgent(name: String, tokenHash: String, nowMs: Int64) async throws -> AgentRecord
    /// Gives an existing agent a new token (the old one stops working).
    func replaceAgentToken(name: String, tokenHash: String) async throws
    /// Sets the services an agent may report (`nil`: any); throws ``StoreError/Code/notFound`` for an
    /// unknown name.
    func setAgentScope(name: String, scope: ServiceScope?) async throws
    /// The agent a token belongs to.
    func agent(tokenHash: String) async throws -> AgentRecord?
    /// All agents, by name.
    func agents() async throws -> [AgentRecord]

}

/// Storing agents' batches, and history loaded from elsewhere.
public protocol IngestStore: Sendable {
    /// Stores a batch once per (agent, session, seq) and folds its heartbeats into state intervals.
    func ingest(_ batch: IngestBatch) async throws -> IngestOutcome

    /// Loads history kept elsewhere (a migration from another monitor, a restore, a benchmark): checks
    /// with their state intervals, and probe rollups. Agents named by the checks are created when
    /// missing, without a usable token. Existing rows with the same keys are replaced.
    func importHistory(_ history: HistoryImport) async throws

}

/// What the store holds of availability: checks, their state intervals, probe rollups and raw batches.
public protocol HistoryStore: Sendable {
    /// Names of all services with at least one check, sorted.
    func services() async throws -> [String]
    /// The checks of one service.
    func checks(service: String) async throws -> [CheckRecord]
    /// A check's state intervals that overlap `range`, sorted by start.
    func intervals(checkID: Int64, overlapping range: TimeRange) async throws -> [StateInterval]
    /// Every check, by service then agent and name.
    func allChecks() async throws -> [CheckRecord]
    /// The checks of one kind (`tls`), by service then agent and name: what a rule about that kind
    /// reads, however many other checks there are.
    func checks(kind: String) async throws -> [CheckRecord]
    /// Several checks' state intervals that overlap `range`, by check id, each sorted by start.
    func intervals(checkIDs: [Int64], overlapping range: TimeRange) async throws -> [Int64: [StateInterval]]
    /// Each service's rollup rows that its cover names, summed (``probeCounts(over:minuteRowsSinceMs:latency:)``
    /// adds what no row covers exactly from the raw batches). Without `latency`, the counts alone, summed
    /// by the database (no row's histogram is read): the sums are the same, the histograms empty.
    func rollupCounts(_ covers: [String: RollupCover], latency: Bool) async throws -> [String: ProbeCounts]
    /// Hour and day rollup rows hold the minutes before this instant; later minutes are in minute rows
    /// only (SQLite sums them into hours and days once a minute). It never moves back. `Int64.max` for
    /// a store that writes all three on every batch.
    func rollupsFoldedBeforeMs() async throws -> Int64
    /// The stored raw batches that hold accepted heartbeats in any of these minutes (start, ms), each once.
    func rawBatches(holdingMinutes minutes: [Int64]) async throws -> [RawBatchRecord]
    /// Deletes minute rollups that start before `cutoffMs` (hour and day rows stay); returns how many.
    func pruneMinuteRollups(before cutoffMs: Int64) async throws -> Int
    /// Moves what ingest set aside into the stored rollup rows, returning how many rows it moved
    /// (PostgreSQL: the deltas each batch appends; SQLite: the minutes before `nowMs` not yet in their
    /// hour and day rows). Reads count set-aside rows either way; this keeps them few. Any replica may
    /// call it at any time (``DeltaCompactor`` does once a second).
    func compactRollups(nowMs: Int64) async throws -> Int
    /// The number of raw batches stored for an agent (audit).
    func rawBatchCount(agentID: Int64) async throws -> Int

}

/// Support tickets and their events.
public protocol TicketStore: Sendable {
    /// Creates or updates tickets by external id and adds their events (each stored once: the same
    /// event sent twice changes nothing). Returns, per ticket, whether it was new.
    func upsertTickets(_ tickets: [Ticket], nowMs: Int64) async throws -> [Bool]
    /// Adds events to a ticket; throws ``StoreError/Code/notFound`` for an unknown external id.
    func addTicketEvents(externalID: String, _ events: [TicketEvent], nowMs: Int64) async throws -> Ticket
    /// One ticket with its history.
    func ticket(externalID: String) async throws -> Ticket?
    /// Tickets created in `created` (sorted by creation), optionally only those not solved or closed.
    func tickets(created: TimeRange, openOnly: Bool) async throws -> [Ticket]
    /// Tickets of any status last changed (created, edited, given events) at or after `sinceMs`, by the
    /// clock of the collector that changed them; sorted by creation.
    func tickets(updatedSince sinceMs: Int64) async throws -> [Ticket]

}

/// The alert outbox (alerts and their deliveries), ongoing alert episodes, and silences.
public protocol AlertStore: Sendable {
    /// Stores an alert once per dedupe key, with a pending delivery per hook; `nil` when the key is known.
    func enqueueAlert(_ alert: StoredAlert, hooks: [String], nowMs: Int64) async throws -> Int64?
    /// Whether an alert with this dedupe key exists.
    func hasAlert(dedupeKey: String) async throws -> Bool
    /// The stored alert with this dedupe key (`nil` when there is none), for its silence.
    func alertState(dedupeKey: String) async throws -> StoredAlert?
    /// Pending deliveries whose next attempt is due, oldest first.
    func dueDeliveries(nowMs: Int64, limit: Int) async throws -> [PendingDelivery]
    /// Records a delivery attempt: delivered, failed for good, or to retry at `nextAttemptMs`.
    func recordAttempt(alertID: Int64, hook: String, state: DeliveryState, error: String, nextAttemptMs: Int64, nowMs: Int64) async throws
    /// Alerts created since `sinceMs`, newest first (by creation, then id), with their deliveries; only
    /// those after `before` in that order when it is given (the next page).
    func alerts(sinceMs: Int64, limit: Int, before: AlertPosition?) async throws -> [AlertRecord]

    /// When the condition named `key` (a burn rate firing, an agent silent) started, if it is going on.
    func alertEpisode(key: String) async throws -> Int64?
    /// Starts (`sinceMs`) or ends (`nil`) the condition named `key`.
    func setAlertEpisode(key: String, sinceMs: Int64?) async throws
    /// Silences that have not ended by `nowMs`, by start.
    func silences(activeAfter nowMs: Int64) async throws -> [Silence]
    /// Adds a silence and returns it with its id.
    func addSilence(_ silence: Silence) async throws -> Silence
    /// Removes one; throws ``StoreError/Code/notFound`` when there is no such id.
    func removeSilence(id: Int64) async throws

}

/// Outages as stored facts (issue 20), and the change feed ingest writes in the same transaction as
/// the heartbeats: each service whose history changed since its outages were derived, from when.
public protocol OutageStore: Sendable {
    /// What ingest shares with the outage tracker in memory.
    var outageFeed: OutageFeed { get }
    /// The change feed: services to derive again. With `deriving`, the caller derives them next and
    /// ends with ``OutageFeed/endDeriving(_:)``: until then every fold of theirs is recorded.
    func outageChanges(deriving: Bool) async throws -> [OutageChange]
    /// Moves changes ingest set aside into the feed's rows, returning how many it moved, so they stay
    /// few while nothing reads the feed (PostgreSQL: the change log each batch appends to; SQLite:
    /// nothing is set aside, 0). Any replica may call it at any time (``DeltaCompactor`` does).
    func compactOutageChanges() async throws -> Int
    /// Records that services' histories changed from `fromMs` on (an import, a rebuild).
    func markOutagesChanged(services: [String], fromMs: Int64, nowMs: Int64) async throws
    /// The stored outages of `service` (every service when `nil`) that overlap `range`, by start.
    func storedOutages(service: String?, overlapping range: TimeRange) async throws -> [Outage]
    /// Stored outages marked as going on, by start.
    func ongoingOutages() async throws -> [Outage]
    /// The latest end of each service's stored outages.
    func latestOutageEnds() async throws -> [String: Int64]
    /// Writes services' outage changes and their alerts in one transaction, and clears each change row
    /// derived if no change came since; returns the alerts newly stored.
    @discardableResult
    func applyOutageWrites(_ writes: [OutageWrite], nowMs: Int64) async throws -> [StoredAlert]
    /// Raises ``outageFeed``'s changed flag each time another process commits outage changes, until the
    /// task is cancelled, so that the tracker derives them at once instead of at its next poll. Returns
    /// at once where no other process writes the store (SQLite: this process's commits raise it).
    func followOutageChanges() async throws
}

extension OutageStore {
    /// The change feed, read only (``outageChanges(deriving:)``).
    public func outageChanges() async throws -> [OutageChange] { try await outageChanges(deriving: false) }
}

/// Maintenance windows added through the API.
public protocol MaintenanceStore: Sendable {
    /// Maintenance windows added through the API.
    func maintenanceWindows() async throws -> [MaintenanceRecord]
    /// Adds one and returns it with its id.
    func addMaintenance(_ record: MaintenanceRecord) async throws -> MaintenanceRecord
    /// Removes one; throws ``StoreError/Code/notFound`` when there is no such id.
    func removeMaintenance(id: Int64) async throws

}

/// The collector replicas sharing the store, for leader election and `/v1/replicas`.
public protocol ReplicaStore: Sendable {
    /// Records that a collector replica is alive, and whether it leads.
    func recordReplica(_ replica: ReplicaRecord) async throws
    /// Replicas that reported since `sinceMs`, by instance.
    func replicas(seenSince sinceMs: Int64) async throws -> [ReplicaRecord]
}

extension CredentialStore {
    /// Revokes an agent's token: it stops working at once, the agent's history stays, and
    /// ``replaceAgentToken(name:tokenHash:)`` (`vigil agents add NAME --replace`) gives it a new one.
    /// Throws ``StoreError/Code/notFound`` for an unknown name.
    public func revokeAgentToken(name: String, nowMs: Int64) async throws {
        try await replaceAgentToken(name: name, tokenHash: Tokens.revokedMarker(agent: name, nowMs: nowMs))
    }
}

/// Where an alert stands in the newest-first order of ``Store/alerts(sinceMs:limit:before:)``.
public struct AlertPosition: Sendable, Hashable {
    public var createdMs: Int64
    public var id: Int64

    public init(createdMs: Int64, id: Int64) {
        self.createdMs = createdMs
        self.id = id
    }
}

extension AlertStore {
    /// The newest `limit` alerts created since `sinceMs`.
    public func alerts(sinceMs: Int64, limit: Int) async throws -> [AlertRecord] {
        try await alerts(sinceMs: sinceMs, limit: limit, before: nil)
    }
}
