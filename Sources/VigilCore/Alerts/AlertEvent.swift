/// Something the collector tells the outside world about (DESIGN §8).
public struct AlertEvent: Sendable, Hashable {
    /// `outage.opened`, `outage.resolved`, … (DESIGN §8 lists them all).
    public var type: String
    public var severity: AlertSeverity
    /// The service concerned, if any.
    public var service: String?
    /// The same key means the same event: it is stored and delivered once (`outage:api:1795…:opened`).
    public var dedupeKey: String
    /// When it happened (ms since the epoch).
    public var occurredMs: Int64
    /// One readable line (`api is down since 10:02 UTC: status 503 (2 of 3 locations)`).
    public var summary: String
    /// Event-specific fields, as text.
    public var details: [String: String]

    public init(
        type: String, severity: AlertSeverity, service: String?, dedupeKey: String, occurredMs: Int64, summary: String,
        details: [String: String] = [:]
    ) {
        self.type = type
        self.severity = severity
        self.service = service
        self.dedupeKey = dedupeKey
        self.occurredMs = occurredMs
        self.summary = summary
        self.details = details
    }

    /// The two events of an outage: opened once confirmed (not for outages in maintenance), resolved once
    /// it ended. Keys are stable, so evaluating the same history again produces the same keys.
    public static func outageEvents(_ outage: Outage) -> (opened: AlertEvent?, resolved: AlertEvent?) {
        let details = [
            "outage_id": outage.id, "locations": outage.locations.joined(separator: ","), "first_message": outage.firstMessage,
            "start_ms": String(outage.range.startMs),
        ]
        var opened: AlertEvent?
        if let detected = outage.detectedAtMs, !outage.inMaintenance {
            let where_ = outage.locations.isEmpty ? "" : " (\(outage.locations.joined(separator: ", ")))"
            opened = AlertEvent(
                type: "outage.opened", severity: .page, service: outage.service, dedupeKey: "outage:\(outage.id):opened",
                occurredMs: detected,
                summary: "\(outage.service) is down" + (outage.firstMessage.isEmpty ? "" : ": \(outage.firstMessage)") + where_,
                details: details
            )
        }
        var resolved: AlertEvent?
        if !outage.ongoing {
            var more = details
            more["duration_ms"] = String(outage.range.durationMs)
            resolved = AlertEvent(
                type: "outage.resolved", severity: .page, service: outage.service, dedupeKey: "outage:\(outage.id):resolved",
                occurredMs: outage.range.endMs,
                summary: "\(outage.service) is back up after \(DurationText.format(milliseconds: outage.range.durationMs))",
                details: more
            )
        }
        return (opened, resolved)
    }
}
