import AsyncHTTPClient
import NIOCore
import NIOPosix
import Testing
import VigilTestSupport
@testable import VigilAgent

@Suite("Probes against real local peers")
struct ProbeTests {
    @Test("HTTP: up on 200, down with the status on 503, down on connection refused")
    func http() async throws {
        let target = SwitchableTarget()
        let client = ProbeClients.makeClient(HTTPCheckOptions(url: "").clientKey)
        try await withServices([target.application()]) { () async throws in
            let port = await target.ports.port()
            let probe = HTTPProbe(options: HTTPCheckOptions(url: "http://127.0.0.1:\(port)/health"), timeoutMs: 2_000, client: client)
            let up = await probe.run()
            #expect(up.status == .up)
            #expect(up.code == 200)
            #expect(up.latencyUs > 0)
            target.setHealthy(false)
            let down = await probe.run()
            #expect(down.status == .down)
            #expect(down.message == "status 503")
            let accepting = HTTPProbe(options: HTTPCheckOptions(url: "http://127.0.0.1:\(port)/health", expectStatus: StatusCodeSet(ranges: [503...503])), timeoutMs: 2_000, client: client)
            #expect(await accepting.run().status == .up)
        }
        let closedPort = try await Self.closedPort()
        let refused = await HTTPProbe(options: HTTPCheckOptions(url: "http://127.0.0.1:\(closedPort)/"), timeoutMs: 2_000, client: client).run()
        #expect(refused.status == .down)
        #expect(refused.message == "connect refused")
        try await client.shutdown()
    }

    @Test("HTTP: a target that never answers is down with a timeout message, on time")
    func httpTimeout() async throws {
        // A listener that accepts and never answers.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        let client = ProbeClients.makeClient(HTTPCheckOptions(url: "").clientKey)
        let clock = ContinuousClock()
        let start = clock.now
        let result = await HTTPProbe(options: HTTPCheckOptions(url: "http://127.0.0.1:\(port)/"), timeoutMs: 300, client: client).run()
        let elapsed = clock.now - start
        #expect(result.status == .down)
        #expect(result.message == "timeout after 300ms")
        // The listener never answers, so without the 300 ms deadline the probe would never end. The bound
        // only has to tell "ended by the deadline" from "hung": it is generous because a CI machine running
        // the whole suite can stall this process for seconds (2.54 s was seen), and a tight wall-clock bound
        // then fails on time the probe did not spend.
        #expect(elapsed < .seconds(10))
        try await client.shutdown()
        try await channel.close()
    }

    @Test("TCP: up when a listener accepts, down when refused")
    func tcp() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        #expect(await TCPProbe(host: "127.0.0.1", port: port, timeoutMs: 1_000).run().status == .up)
        try await channel.close()
        let refused = await TCPProbe(host: "127.0.0.1", port: try await Self.closedPort(), timeoutMs: 1_000).run()
        #expect(refused.status == .down)
        #expect(refused.message == "connect refused")
    }

    /// A port nobody listens on. Port 1 (tcpmux) is unused here and, unlike a freed ephemeral port, can
    /// neither be taken by a parallel test nor self-connect (TCP simultaneous open to one's own port).
    static func closedPort() async throws -> Int { 1 }
}

@Suite("vigil-agent once")
struct OnceRunTests {
    @Test("every check runs once and the table shows what it saw")
    func once() async throws {
        let target = SwitchableTarget()
        try await withServices([target.application()]) {
            let port = await target.ports.port()
            let closed = try await ProbeTests.closedPort()
            let configuration = AgentConfiguration(collectorURL: "http://127.0.0.1:1", token: "t", name: "once", checks: [
                CheckConfiguration(name: "web", service: "web", kind: .http(HTTPCheckOptions(url: "http://127.0.0.1:\(port)/health")), intervalMs: 1_000),
                CheckConfiguration(name: "port", service: "db", kind: .tcp(host: "127.0.0.1", port: closed), intervalMs: 1_000),
            ])
            let lines = await OnceRun.run(configuration)
            #expect(lines.map(\.result.status) == [.up, .down])
            #expect(!OnceRun.allAvailable(lines))
            let table = OnceRun.render(lines)
            #expect(table.hasPrefix("CHECK  SERVICE  KIND  TARGET"))
            #expect(table.contains("connect refused"))
        }
    }
}
