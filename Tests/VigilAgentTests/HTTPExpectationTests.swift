import AsyncHTTPClient
import Testing
import VigilTestSupport
@testable import VigilAgent

@Suite("HTTP expectations against a real server")
struct HTTPExpectationTests {
    /// Runs one probe built from `configure` against the test target.
    static func probe(_ port: Int, _ path: String, degradedAfterMs: Int64? = nil, _ configure: (inout HTTPCheckOptions) -> Void = { _ in }) async -> ProbeResult {
        var options = HTTPCheckOptions(url: "http://127.0.0.1:\(port)\(path)")
        configure(&options)
        let client = ProbeClients.makeClient(options.clientKey)
        let http = HTTPProbe(options: options, timeoutMs: 2_000, client: client)
        let result = await (degradedAfterMs.map { LatencyThreshold(probe: http, thresholdMs: $0) as any Probe } ?? http).run()
        try? await client.shutdown()
        return result
    }

    @Test("body, regex and JSON expectations, with the messages operators read")
    func bodyAndJSON() async throws {
        let target = SwitchableTarget()
        try await withServices([target.application()]) {
            let port = await target.ports.port()
            #expect(await Self.probe(port, "/json") { $0.bodyContains = "\"ok\"" }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.bodyContains = "healthy" }.message == #"body missing "healthy""#)
            #expect(await Self.probe(port, "/json") { $0.bodyRegex = #"items.*\[.*"b""# }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.bodyRegex = "^nope" }.message == "body does not match /^nope/")
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.status"; $0.jsonEquals = "ok" }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.db.ok"; $0.jsonEquals = "true" }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.db.lag"; $0.jsonEquals = "3" }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.items"; $0.jsonContains = "b" }.status == .up)
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.items[0]"; $0.jsonEquals = "b" }.message
                == #"json $.items[0] is "a", expected "b""#)
            #expect(await Self.probe(port, "/json") { $0.jsonPath = "$.missing"; $0.jsonEquals = "x" }.message == "json $.missing not found")
            #expect(await Self.probe(port, "/health") { $0.jsonPath = "$.status"; $0.jsonEquals = "ok" }.message == "body is not JSON")
        }
    }

    @Test("method, headers and body are sent as configured")
    func requestShape() async throws {
        let target = SwitchableTarget()
        try await withServices([target.application()]) {
            let port = await target.ports.port()
            let result = await Self.probe(port, "/echo") {
                $0.method = "POST"
                $0.headers = ["X-Probe": "vigil"]
                $0.body = "ping"
                $0.bodyContains = "POST vigil ping"
            }
            #expect(result.status == .up, "\(result.message)")
        }
    }

    @Test("slower than degraded_after is degraded; redirects follow up to the limit")
    func latencyAndRedirects() async throws {
        let target = SwitchableTarget()
        try await withServices([target.application()]) {
            let port = await target.ports.port()
            let slow = await Self.probe(port, "/slow", degradedAfterMs: 100)
            #expect(slow.status == .degraded)
            #expect(slow.message.hasPrefix("slow: "))
            #expect(await Self.probe(port, "/slow", degradedAfterMs: 2_000).status == .up)
            #expect(await Self.probe(port, "/redirect").status == .up)
            let notFollowed = await Self.probe(port, "/redirect") { $0.followRedirects = 0 }
            #expect(notFollowed.message == "status 302")
            #expect(await Self.probe(port, "/loop").message == "too many redirects")
        }
    }

    @Test("JSON paths parse and pick values")
    func paths() throws {
        #expect(JSONPath("$.a.b[2].c") != nil)
        #expect(JSONPath("a.b") != nil)
        #expect(JSONPath("$.a[") == nil)
        #expect(JSONPath("$..a") == nil)
        let document = try #require(JSONValue.parse(Array(#"{"a": {"b": [1, 2, {"c": "x"}]}}"#.utf8)))
        #expect(JSONPath("$.a.b[2].c")?.value(in: document) == .string("x"))
        #expect(JSONPath("$.a.b[5]")?.value(in: document) == nil)
    }

    @Test("JSON values render as compact JSON with sorted keys; bodies that are not JSON are refused")
    func rendering() throws {
        let body = #"{"n": 42, "f": 1.5, "e": 1e3, "t": true, "z": null, "s": "a\"b", "o": {"y": [1, "2"], "x": {}}}"#
        let document = try #require(JSONValue.parse(Array(body.utf8)))
        let expected = [("$.n", "42"), ("$.f", "1.5"), ("$.e", "1000"), ("$.t", "true"), ("$.z", "null"), ("$.s", #"a"b"#),
                        ("$.o", #"{"x":{},"y":[1,"2"]}"#)]
        for (path, text) in expected {
            #expect(JSONPath(path)?.value(in: document)?.rendered == text, "\(path)")
        }
        #expect(JSONValue.parse(Array("\"ok\"".utf8)) == .string("ok"))
        #expect(JSONValue.parse(Array("<html>".utf8)) == nil)
        #expect(JSONValue.parse([]) == nil)
    }
}
