import Crypto
import Foundation
import VigilCore
import VigilWire

/// The JSON every hook receives for an event (README "Alert hooks"), and its signature.
enum AlertBody {
    struct Payload: Encodable {
        var type: String
        var severity: String
        var service: String?
        var occurredAt: String
        var summary: String
        var dedupeKey: String
        var details: [String: String]

        enum CodingKeys: String, CodingKey {
            case type, severity, service, summary, details
            case occurredAt = "occurred_at", dedupeKey = "dedupe_key"
        }
    }

    /// The stored form of an event: its body is fixed once, so retries send the same bytes.
    static func stored(_ event: AlertEvent) -> StoredAlert {
        let payload = Payload(
            type: event.type, severity: event.severity.rawValue, service: event.service, occurredAt: ISOTime.format(ms: event.occurredMs),
            summary: event.summary, dedupeKey: event.dedupeKey, details: event.details
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return StoredAlert(
            dedupeKey: event.dedupeKey, type: event.type, severity: event.severity.rawValue, service: event.service,
            occurredMs: event.occurredMs, body: body
        )
    }

    /// The chat form: `{"text": "[PAGE] outage.opened · api: api is down: status 503 (fra/api)"}`.
    static func chatText(_ body: String) -> String {
        let fields = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        let severity = (fields["severity"] as? String ?? "info").uppercased()
        let type = fields["type"] as? String ?? "event"
        let service = (fields["service"] as? String).map { " · \($0)" } ?? ""
        let summary = fields["summary"] as? String ?? ""
        // One escaping layer: names and probe messages in the summary are agent- and server-chosen.
        let text = Escaping.chat("[\(severity)] \(type)\(service): \(summary)")
        let data = (try? JSONSerialization.data(withJSONObject: ["text": text], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `sha256=` and the hex HMAC-SHA256 of `body` with `secret`.
    static func signature(body: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}
