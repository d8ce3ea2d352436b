import VigilCore

/// How tickets' tags and events are kept in table columns, the same in every engine.
enum TicketCoding {
    static func encodeTags(_ tags: [String]) -> String { tags.joined(separator: ",") }

    static func decodeTags(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

    static func encode(_ kind: TicketEvent.Kind) -> (String, String) {
        switch kind {
        case .status(let status): ("status", status.rawValue)
        case .agentReply: ("agent_reply", "")
        case .requesterReply: ("requester_reply", "")
        case .satisfaction(let good): ("satisfaction", good ? "good" : "bad")
        }
    }

    static func decode(kind: String, value: String) -> TicketEvent.Kind? {
        switch kind {
        case "status": TicketStatus(rawValue: value).map { .status($0) }
        case "agent_reply": .agentReply
        case "requester_reply": .requesterReply
        case "satisfaction": .satisfaction(good: value == "good")
        default: nil
        }
    }
}
