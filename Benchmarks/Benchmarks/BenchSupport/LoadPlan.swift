import Foundation
import VigilCore
import VigilWire

/// The simulated fleet (issue 8): `agents` agents with `checks` checks each, shipping 1,000-heartbeat
/// batches of 1 s probes, protobuf + zlib exactly as the agent sends them. Every check changes state
/// now and then (a short outage every ~5 minutes of its timeline, at a different phase per check), so
/// the store folds real intervals, not one endless run.
public struct LoadPlan: Sendable {
    public var agents: Int
    public var checks: Int
    public var batchHeartbeats: Int
    /// Batches pre-encoded per agent; the run stops when they are used up or the time is over.
    public var batchesPerAgent: Int

    public init(agents: Int, checks: Int, batchHeartbeats: Int, batchesPerAgent: Int) {
        self.agents = agents
        self.checks = checks
        self.batchHeartbeats = batchHeartbeats
        self.batchesPerAgent = batchesPerAgent
    }

    /// From VIGIL_LOAD_AGENTS, _CHECKS, _BATCH and _MAX_HEARTBEATS, with the shape by default.
    public static func fromEnvironment() -> LoadPlan {
        let environment = ProcessInfo.processInfo.environment
        func value(_ key: String, _ fallback: Int) -> Int { environment[key].flatMap(Int.init) ?? fallback }
        let agents = value("VIGIL_LOAD_AGENTS", 100)
        let checks = value("VIGIL_LOAD_CHECKS", 100)
        let batch = value("VIGIL_LOAD_BATCH", 1_000)
        // 40M: at 840,000/s, 20 s at the maximum rate and 20 s at half of it need 25M.
        let budget = value("VIGIL_LOAD_MAX_HEARTBEATS", 40_000_000)
        return LoadPlan(agents: agents, checks: checks, batchHeartbeats: batch, batchesPerAgent: max(1, budget / batch / agents))
    }

    public var beatsPerCheck: Int { max(1, batchHeartbeats / checks) }

    public func definitions(agent: Int) -> [CheckDefinition] {
        (0..<checks).map { check in
            CheckDefinition(
                id: UInt32(check + 1), name: "check-\(check)", service: "svc-\(check % 50)", kind: "http",
                target: "http://host-\(agent).example/\(check)", intervalMs: 1_000, timeoutMs: 500
            )
        }
    }

    /// The `index`-th batch of `agent`, starting its timeline at `startMs`.
    public func batch(agent: Int, index: Int, startMs: Int64) -> Batch {
        var heartbeats: [Heartbeat] = []
        heartbeats.reserveCapacity(beatsPerCheck * checks)
        for beat in 0..<beatsPerCheck {
            let second = index * beatsPerCheck + beat
            for check in 0..<checks {
                let phase = (second + check * 37 + agent * 11) % 300
                let down = phase < 8
                heartbeats.append(Heartbeat(
                    check: UInt32(check + 1), timestampMs: startMs + Int64(second) * 1_000, status: down ? .down : .up,
                    latencyUs: UInt32(2_000 + (phase * 97 + check) % 40_000), code: down ? 503 : 200,
                    message: down ? "HTTP 503" : ""
                ))
            }
        }
        return Batch(
            sessionID: "load-\(agent)", seq: UInt64(index + 1), agentVersion: "load",
            checks: index == 0 ? definitions(agent: agent) : [], heartbeats: heartbeats
        )
    }

    /// The same heartbeats as Influx line protocol, one row a heartbeat, gzip-compressed: what a
    /// time-series database peer (VictoriaMetrics' `/write`) is sent in the same run.
    public func influxBody(agent: Int, index: Int, startMs: Int64) -> [UInt8] {
        let batch = batch(agent: agent, index: index, startMs: startMs)
        var text = ""
        text.reserveCapacity(batch.heartbeats.count * 110)
        for heartbeat in batch.heartbeats {
            let check = Int(heartbeat.check) - 1
            text += "probe,agent=load-\(agent),check=check-\(check),service=svc-\(check % 50) "
            text += "up=\(heartbeat.status == .up ? 1 : 0)i,latency_us=\(heartbeat.latencyUs)i,code=\(heartbeat.code)i "
            text += "\(heartbeat.timestampMs * 1_000_000)\n"
        }
        // swiftlint:disable:next force_try
        let deflater = try! Deflater(format: .gzip)
        // swiftlint:disable:next force_try
        return try! deflater.update(Array(text.utf8)) + deflater.finish()
    }

    /// Every agent's batches as ``influxBody(agent:index:startMs:)``, built on all cores.
    public func influxAll(startMs: Int64) async -> [[[UInt8]]] {
        await buildAll { influxBody(agent: $0, index: $1, startMs: startMs) }
    }

    /// Every agent's batches, encoded for shipping, built on all cores.
    public func encodeAll(startMs: Int64) async -> [[[UInt8]]] {
        await buildAll { BatchCodec.encodeForShipping(batch(agent: $0, index: $1, startMs: startMs)) }
    }

    /// `body(agent, index)` for every agent's batches, agents in parallel.
    private func buildAll(_ body: @escaping @Sendable (Int, Int) -> [UInt8]) async -> [[[UInt8]]] {
        await withTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for agent in 0..<agents {
                group.addTask { (agent, (0..<batchesPerAgent).map { body(agent, $0) }) }
            }
            var all = Array(repeating: [[UInt8]](), count: agents)
            for await (agent, bodies) in group { all[agent] = bodies }
            return all
        }
    }
}
