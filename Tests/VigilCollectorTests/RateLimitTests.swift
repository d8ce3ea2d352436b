import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCollector

@Suite("Agent rate limits")
struct RateLimitTests {
    @Test("a bucket admits the burst, then one batch per 1/rate seconds, per agent")
    func bucket() {
        let limiter = AgentRateLimiter(limit: AgentRateLimit(requestsPerSecond: 2, burst: 3))
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(limiter.admit(agent: 1, now: start) == nil) }
        let wait = limiter.admit(agent: 1, now: start)
        #expect(wait == .milliseconds(500))
        #expect(limiter.admit(agent: 2, now: start) == nil, "another agent has its own bucket")
        #expect(limiter.admit(agent: 1, now: start + .milliseconds(499)) != nil)
        #expect(limiter.admit(agent: 1, now: start + .milliseconds(500)) == nil)
        // A long quiet spell refills up to the burst, not beyond.
        let later = start + .seconds(60)
        for _ in 0..<3 { #expect(limiter.admit(agent: 1, now: later) == nil) }
        #expect(limiter.admit(agent: 1, now: later) != nil)
    }

    @Test("over the rate a batch gets 429 rate_limited with Retry-After, nothing of it is stored, and the agent's retry later is")
    func overHTTP() async throws {
        let harness = try await TestCollector { $0.rateLimit = AgentRateLimit(requestsPerSecond: 0.2, burst: 2) }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("chatty")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let start = WallClockForTests.nowMs() - 60_000
            for seq in 1...2 {
                let body = BatchCodec.encodeForShipping(IngestTests.batch(seq: UInt64(seq), start: start + Int64(seq) * 1_000, statuses: [.up]))
                #expect(try await IngestTests.post(port, body: body, token: token).status == 200)
            }
            let third = BatchCodec.encodeForShipping(IngestTests.batch(seq: 3, start: start + 3_000, statuses: [.down]))
            let limited = try await IngestTests.post(port, body: third, token: token)
            #expect(limited.status == 429)
            #expect(limited.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "rate_limited")
            let retryAfter = try #require(limited.retryAfter.flatMap(Int.init))
            #expect((1...5).contains(retryAfter))
            #expect(try await harness.collector.store.agents()[0].heartbeats == 2)
        }
    }

    @Test("rate_limit is read as off or as a rate and burst; mistakes are located")
    func configuration() throws {
        #expect(try CollectorConfiguration.parse(ConfigDocument.parse("listen: 127.0.0.1:1\n", file: "c.yaml")).rateLimit == AgentRateLimit())
        #expect(try CollectorConfiguration.parse(ConfigDocument.parse("rate_limit: off\n", file: "c.yaml")).rateLimit == nil)
        let set = try CollectorConfiguration.parse(ConfigDocument.parse("rate_limit: {requests_per_second: 5, burst: 10}\n", file: "c.yaml"))
        #expect(set.rateLimit == AgentRateLimit(requestsPerSecond: 5, burst: 10))
        let root = try ConfigDocument.parse("rate_limit:\n  requests_per_second: 0\n", file: "c.yaml")
        let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
        #expect(error?.description == "c.yaml:2:24: rate_limit.requests_per_second: must be greater than 0 (use rate_limit: off for no limit)")
    }
}
