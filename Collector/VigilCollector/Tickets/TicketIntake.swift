import VigilCore
import VigilWire

/// Turns ticket requests (API, webhook, CSV rows) into tickets, refusing bad fields by name.
public enum TicketIntake {
    /// Why a ticket row was refused.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Largest text accepted in a field.
    static let maxFieldLength = 1_024

    public static func ticket(from input: TicketInput) throws(Problem) -> Ticket {
        let id = input.externalID.trimmingSpaces()
        guard !id.isEmpty, id.count <= 200 else { throw Problem(description: "external_id: must be 1–200 characters") }
        let created = try time(input.createdAt, field: "created_at")
        var priority = TicketPriority.normal
        if let text = input.priority, !text.isEmpty {
            guard let parsed = TicketPriority(rawValue: text.lowercased()) else {
                throw Problem(description: "priority: \"\(text)\" is not low, normal, high or urgent")
            }
            priority = parsed
        }
        for (field, value) in [("title", input.title), ("requester", input.requester), ("organisation", input.organisation), ("category", input.category)] {
            if let value, value.count > maxFieldLength { throw Problem(description: "\(field): longer than \(maxFieldLength) characters") }
        }
        let tags = (input.tags ?? []).map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
        guard tags.allSatisfy({ !$0.contains(",") && $0.count <= 100 }) else { throw Problem(description: "tags: each tag must be 1–100 characters without commas") }
        var events: [TicketEvent] = []
        let updated = try input.updatedAt.map { text throws(Problem) in try time(text, field: "updated_at") }
        if let text = input.status, !text.isEmpty {
            guard let status = TicketStatus(loose: text) else {
                throw Problem(description: "status: \"\(text)\" is not new, open, pending, on_hold, solved or closed")
            }
            if status != .new { events.append(TicketEvent(atMs: updated ?? created, kind: .status(status))) }
        }
        if let text = input.firstReplyAt, !text.isEmpty {
            events.append(TicketEvent(atMs: try time(text, field: "first_reply_at"), kind: .agentReply))
        }
        if let text = input.solvedAt, !text.isEmpty {
            events.append(TicketEvent(atMs: try time(text, field: "solved_at"), kind: .status(.solved)))
        }
        if let text = input.satisfaction, !text.isEmpty {
            let at = updated ?? events.last?.atMs ?? created
            events.append(TicketEvent(atMs: at, kind: .satisfaction(good: try rating(text, field: "satisfaction"))))
        }
        for (index, event) in (input.events ?? []).enumerated() {
            events.append(try self.event(event, field: "events[\(index)]"))
        }
        if let early = events.first(where: { $0.atMs < created }) {
            throw Problem(description: "an event at \(ISOTime.format(ms: early.atMs)) is before created_at")
        }
        return Ticket(
            externalID: id, title: input.title ?? "", requester: input.requester ?? "", organisation: input.organisation ?? "",
            priority: priority, category: (input.category ?? "").lowercased(), tags: Array(Set(tags)).sorted(), createdMs: created,
            events: events
        )
    }

    public static func event(_ input: TicketEventInput, field: String) throws(Problem) -> TicketEvent {
        let at = try time(input.at, field: "\(field).at")
        switch input.type {
        case "status":
            guard let text = input.status, let status = TicketStatus(loose: text) else {
                throw Problem(description: "\(field).status: expected new, open, pending, on_hold, solved or closed")
            }
            return TicketEvent(atMs: at, kind: .status(status))
        case "agent_reply": return TicketEvent(atMs: at, kind: .agentReply)
        case "requester_reply": return TicketEvent(atMs: at, kind: .requesterReply)
        case "satisfaction": return TicketEvent(atMs: at, kind: .satisfaction(good: try rating(input.rating ?? "", field: "\(field).rating")))
        default:
            throw Problem(description: "\(field).type: \"\(input.type)\" is not status, agent_reply, requester_reply or satisfaction")
        }
    }

    static func time(_ text: String, field: String) throws(Problem) -> Int64 {
        guard let ms = ISOTime.parse(text.trimmingSpaces()) else {
            throw Problem(description: "\(field): \"\(text)\" is not an ISO 8601 time such as 2026-11-02T09:30:00Z")
        }
        return ms
    }

    static func rating(_ text: String, field: String) throws(Problem) -> Bool {
        switch text.lowercased() {
        case "good", "satisfied", "positive", "1", "true": return true
        case "bad", "unsatisfied", "dissatisfied", "negative", "0", "false": return false
        default: throw Problem(description: "\(field): \"\(text)\" is not good or bad")
        }
    }

    /// The API form of a ticket's events.
    static func eventInputs(_ ticket: Ticket) -> [TicketEventInput] {
        ticket.events.map { event in
            let at = ISOTime.format(ms: event.atMs)
            switch event.kind {
            case .status(let status): return TicketEventInput(at: at, type: "status", status: status.rawValue)
            case .agentReply: return TicketEventInput(at: at, type: "agent_reply")
            case .requesterReply: return TicketEventInput(at: at, type: "requester_reply")
            case .satisfaction(let good): return TicketEventInput(at: at, type: "satisfaction", rating: good ? "good" : "bad")
            }
        }
    }
}
