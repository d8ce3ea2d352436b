import SwiftProtobuf
import VigilCore

/// Converts ``Batch`` to and from the protobuf schema in `Schema/vigil.proto`.
///
/// Heartbeat timestamps travel as zigzag deltas (first against `base_ts_ms`), which keeps steady-state
/// batches to a few bytes per heartbeat once deflated.
public enum ProtobufBatchCodec {
    /// Serialises a batch.
    public static func encode(_ batch: Batch) -> [UInt8] {
        var message = Vigil_Wire_V1_Batch()
        message.sessionID = batch.sessionID
        message.seq = batch.seq
        message.agentVersion = batch.agentVersion
        message.dropped = batch.dropped
        message.checks = batch.checks.map { check in
            var wire = Vigil_Wire_V1_Check()
            wire.id = check.id
            wire.name = check.name
            wire.service = check.service
            wire.kind = check.kind
            wire.target = check.target
            wire.intervalMs = check.intervalMs
            wire.timeoutMs = check.timeoutMs
            return wire
        }
        let base = batch.heartbeats.first?.timestampMs ?? 0
        message.baseTsMs = base
        var previous = base
        message.heartbeats = batch.heartbeats.map { heartbeat in
            var wire = Vigil_Wire_V1_Heartbeat()
            wire.check = heartbeat.check
            wire.tsDeltaMs = heartbeat.timestampMs &- previous
            previous = heartbeat.timestampMs
            wire.status = Vigil_Wire_V1_Status(heartbeat.status)
            wire.latencyUs = heartbeat.latencyUs
            wire.code = heartbeat.code
            wire.message = heartbeat.message
            wire.clockAdjustMs = heartbeat.clockAdjustMs
            return wire
        }
        // Serialising a message built from valid Swift values cannot fail.
        return (try? message.serializedBytes()) ?? []
    }

    /// Parses a batch, naming the first field that is wrong.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Batch {
        let message: Vigil_Wire_V1_Batch
        do {
            message = try Vigil_Wire_V1_Batch(serializedBytes: bytes)
        } catch {
            throw WireError(.malformedBody, "body is not a protobuf Batch: \(error)")
        }
        var checks: [CheckDefinition] = []
        checks.reserveCapacity(message.checks.count)
        for check in message.checks {
            checks.append(CheckDefinition(
                id: check.id, name: check.name, service: check.service, kind: check.kind,
                target: check.target, intervalMs: check.intervalMs, timeoutMs: check.timeoutMs
            ))
        }
        var heartbeats: [Heartbeat] = []
        heartbeats.reserveCapacity(message.heartbeats.count)
        var timestamp = message.baseTsMs
        for (index, wire) in message.heartbeats.enumerated() {
            timestamp = timestamp &+ wire.tsDeltaMs
            guard let status = wire.status.checkStatus else {
                throw WireError(.malformedBody, "heartbeats[\(index)].status: unknown value \(wire.status.rawValue)")
            }
            heartbeats.append(Heartbeat(
                check: wire.check, timestampMs: timestamp, status: status,
                latencyUs: wire.latencyUs, code: wire.code, message: wire.message, clockAdjustMs: wire.clockAdjustMs
            ))
        }
        return Batch(
            sessionID: message.sessionID, seq: message.seq, agentVersion: message.agentVersion,
            dropped: message.dropped, checks: checks, heartbeats: heartbeats
        )
    }
}

extension Vigil_Wire_V1_Status {
    init(_ status: CheckStatus) {
        switch status {
        case .unknown: self = .unknown
        case .up: self = .up
        case .down: self = .down
        case .degraded: self = .degraded
        }
    }

    var checkStatus: CheckStatus? {
        switch self {
        case .unknown: return .unknown
        case .up: return .up
        case .down: return .down
        case .degraded: return .degraded
        case .UNRECOGNIZED: return nil
        }
    }
}
