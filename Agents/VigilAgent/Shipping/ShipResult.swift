#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilWire

/// What one upload attempt came to, and what the shipper does next.
enum ShipResult: Sendable {
    /// 200: stored (or already stored).
    case acked(BatchAck)
    /// 400: the collector cannot read the batch; sending it again will not help. Drop it and log.
    case rejected(String)
    /// 401/403: the token is wrong or revoked, or the batch would pass a limit on checks and services
    /// (`403 limit_exceeded`). Keep the batch, say so loudly, and retry every minute.
    case unauthorized(String)
    /// 413: the batch is too large; split it.
    case tooLarge
    /// 429/503 or a transport error: try again later, after `retryAfterMs` when the collector said.
    case retry(reason: String, retryAfterMs: Int64?)

    /// Maps an HTTP answer.
    static func from(status: Int, body: [UInt8], retryAfter: String?) -> ShipResult {
        let text = String(decoding: body.prefix(2048), as: UTF8.self)
        switch status {
        case 200...299:
            guard let ack = try? JSONDecoder().decode(BatchAck.self, from: Data(body)) else {
                return .retry(reason: "unreadable acknowledgement: \(text)", retryAfterMs: nil)
            }
            return .acked(ack)
        case 400: return .rejected(text)
        case 401, 403: return .unauthorized(text)
        case 413: return .tooLarge
        case 429, 503: return .retry(reason: "collector busy (\(status))", retryAfterMs: retryAfter.flatMap(Int64.init).map { $0 * 1000 })
        default: return .retry(reason: "collector answered \(status): \(text)", retryAfterMs: nil)
        }
    }
}
