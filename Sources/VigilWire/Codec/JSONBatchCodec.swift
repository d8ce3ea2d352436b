#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore

/// Converts ``Batch`` to and from its JSON form: the protobuf fields in snake_case, with absolute
/// `ts_ms` timestamps, so any script can push.
///
/// ```json
/// {"session_id":"6f1c","seq":7,"agent_version":"0.1.0","dropped":0,
///  "checks":[{"id":1,"name":"api-health","service":"api","kind":"http",
///             "target":"http://127.0.0.1:8080/health","interval_ms":10000}],
///  "heartbeats":[{"check":1,"ts_ms":1763800000000,"status":"up","latency_us":1834,"code":200,"message":""}]}
/// ```
/// `session_id` and `seq` are required, and so are each heartbeat's `check`, `ts_ms` and `status`.
public enum JSONBatchCodec {
    /// Serialises a batch.
    public static func encode(_ batch: Batch) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain integers and strings cannot fail.
        return Array((try? encoder.encode(JSONBatch(batch))) ?? Data())
    }

    /// Parses a batch, naming the first field that is wrong.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Batch {
        do {
            return try JSONDecoder().decode(JSONBatch.self, from: Data(bytes)).batch
        } catch let error as DecodingError {
            throw WireError(.malformedBody, "body is not a JSON batch: \(describe(error))")
        } catch {
            throw WireError(.malformedBody, "body is not a JSON batch: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return parent == "body" ? "missing field \"\(key.stringValue)\"" : "\(parent): missing field \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "invalid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

private struct JSONBatch: Codable {
    var session_id: String
    var seq: UInt64
    var agent_version: String?
    var dropped: UInt64?
    var checks: [JSONCheck]?
    var heartbeats: [JSONHeartbeat]?

    init(_ batch: Batch) {
        session_id = batch.sessionID
        seq = batch.seq
        agent_version = batch.agentVersion
        dropped = batch.dropped
        checks = batch.checks.map(JSONCheck.init)
        heartbeats = batch.heartbeats.map(JSONHeartbeat.init)
    }

    var batch: Batch {
        Batch(
            sessionID: session_id, seq: seq, agentVersion: agent_version ?? "", dropped: dropped ?? 0,
            checks: (checks ?? []).map(\.definition), heartbeats: (heartbeats ?? []).map(\.heartbeat)
        )
    }
}

private struct JSONCheck: Codable {
    var id: UInt32
    var name: String
    var service: String
    var kind: String
    var target: String
    var interval_ms: UInt32
    var timeout_ms: UInt32?

    init(_ check: CheckDefinition) {
        id = check.id
        name = check.name
        service = check.service
        kind = check.kind
        target = check.target
        interval_ms = check.intervalMs
        timeout_ms = check.timeoutMs
    }

    var definition: CheckDefinition {
        CheckDefinition(
            id: id, name: name, service: service, kind: kind, target: target,
            intervalMs: interval_ms, timeoutMs: timeout_ms ?? 0
        )
    }
}

private struct JSONHeartbeat: Codable {
    var check: UInt32
    var ts_ms: Int64
    var status: JSONStatus
    var latency_us: UInt32?
    var code: Int32?
    var message: String?
    var clock_adjust_ms: Int64?

    init(_ heartbeat: Heartbeat) {
        check = heartbeat.check
        ts_ms = heartbeat.timestampMs
        status = JSONStatus(heartbeat.status)
        latency_us = heartbeat.latencyUs
        code = heartbeat.code
        message = heartbeat.message
        clock_adjust_ms = heartbeat.clockAdjustMs == 0 ? nil : heartbeat.clockAdjustMs
    }

    var heartbeat: Heartbeat {
        Heartbeat(
            check: check, timestampMs: ts_ms, status: status.value,
            latencyUs: latency_us ?? 0, code: code ?? 0, message: message ?? "", clockAdjustMs: clock_adjust_ms ?? 0
        )
    }
}

/// A status string with an error message that lists the accepted values.
private struct JSONStatus: Codable {
    var value: CheckStatus

    init(_ value: CheckStatus) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let status = CheckStatus(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown status \"\(text)\" (expected up, down, degraded or unknown)"
            )
        }
        value = status
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value.rawValue)
    }
}
