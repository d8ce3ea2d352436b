import Foundation
import Glibc
import NIOCore
import NIOPosix
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilCollector

/// Issue 19: the listener's connection guard, its state machine alone and then real sockets against a
/// real collector.
@Suite("Connections")
struct ConnectionTests {
    // MARK: The state machine

    @Test("within the limit: each request is timed from its head to its end")
    func admitted() {
        var state = ConnectionState(admitted: true)
        #expect(state.head(method: "POST", path: "/v1/batches") == .forwardAndStartTimer)
        #expect(state.body() == .forward)
        #expect(state.end() == .forwardAndStopTimer)
        #expect(state.requestTimerFired() == .none)
        #expect(!state.closesAfterResponse)
        #expect(state.head(method: "GET", path: "/v1/services") == .forwardAndStartTimer)
        #expect(state.requestTimerFired() == .timeOut)
        #expect(state.closesAfterResponse)
        #expect(state.body() == .drop)
        #expect(state.head(method: "GET", path: "/") == .drop)
        #expect(state.headTimerFired() == .none)
    }

    @Test("past the limit: /healthz is answered once, anything else refused, silence closed")
    func overLimit() {
        var health = ConnectionState(admitted: false)
        #expect(health.head(method: "GET", path: "/healthz") == .forwardAndStartTimer)
        #expect(health.end() == .forwardAndStopTimer)
        #expect(health.closesAfterResponse)
        #expect(health.head(method: "GET", path: "/healthz") == .refuse)

        var other = ConnectionState(admitted: false)
        #expect(other.head(method: "POST", path: "/healthz") == .refuse)
        #expect(other.body() == .drop)
        #expect(other.end() == .drop)

        var silent = ConnectionState(admitted: false)
        #expect(silent.headTimerFired() == .close)
        #expect(silent.head(method: "GET", path: "/healthz") == .drop)

        var slowHealth = ConnectionState(admitted: false)
        #expect(slowHealth.head(method: "GET", path: "/healthz?x=1") == .forwardAndStartTimer)
        #expect(slowHealth.requestTimerFired() == .timeOut)
    }

    // MARK: Real sockets

    /// Opens a TCP connection to the collector and returns its descriptor.
    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection (or 10 s pass), read on a thread of
    /// its own: a blocking `recv` on the concurrency pool's few threads would stall every other test.
    static func readAll(_ fd: Int32) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: blockingReadAll(fd)) }.start()
        }
    }

    /// One whole response (its head and `Content-Length` bytes of body) on a connection that stays open,
    /// read on a thread of its own like ``readAll(_:)``.
    static func readResponse(_ fd: Int32) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: blockingReadResponse(fd)) }.start()
        }
    }

    static func blockingReadResponse(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = data.indices.first(where: { data[$0...].starts(with: separator) }) {
                let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count >= end + separator.count + length { break }
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func blockingReadAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("idle and half-sent connections are closed; a body that does not arrive in time gets 408")
    func realSockets() async throws {
        let harness = try await TestCollector { configuration in
            configuration.connections.max = 3
            configuration.connections.idleTimeoutMs = 1_500
            configuration.connections.requestTimeoutMs = 1_000
        }
        defer { harness.directory.remove() }
        let token = try await harness.addAgent("trickle")
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            let clock = ContinuousClock()

            // A bare socket and a slowloris (a request head never finished) are closed after the idle timeout.
            let bare = try Self.connect(port)
            let slow = try Self.connect(port)
            Self.send(slow, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            let began = clock.now
            #expect(await Self.readAll(bare) == "")
            #expect(await Self.readAll(slow) == "")
            #expect(clock.now - began < .seconds(5))
            close(bare)
            close(slow)

            // A body declared 100,000 bytes long with 200 sent: 408 after the request timeout, connection closed.
            let trickle = try Self.connect(port)
            Self.send(trickle, "POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "x", count: 200))
            let sent = clock.now
            // Keep it from looking idle: a byte every 300 ms, never enough.
            let keepAlive = Task {
                for _ in 0..<20 {
                    try await Task.sleep(for: .milliseconds(300))
                    Self.send(trickle, "x")
                }
            }
            let answer = await Self.readAll(trickle)
            keepAlive.cancel()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("request_timeout"))
            #expect(clock.now - sent < .seconds(5))
            close(trickle)

            let metrics = harness.collector.metrics
            var bytes: [UInt8] = []
            metrics.registry.emit(into: &bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("vigil_collector_connections_refused_total{reason=\"request_timeout\"} 1"), "\(text)")
        }
    }

    // The idle timeout is long here: on a busy machine the held connections must not be closed as idle
    // before the fourth arrives (with 1.5 s they were, and the fourth was served).
    @Test("past the connection limit a request gets 503 with Retry-After, but /healthz answers")
    func limitWithRealSockets() async throws {
        let harness = try await TestCollector { configuration in
            configuration.connections.max = 3
            configuration.connections.idleTimeoutMs = 60_000
            configuration.connections.requestTimeoutMs = 30_000
        }
        defer { harness.directory.remove() }
        try await withServices([harness.collector]) { () async throws in
            let port = await harness.ports.port()
            // Three held connections fill the limit: a fourth request is refused with 503 and Retry-After,
            // while /healthz still answers.
            var held: [Int32] = []
            for _ in 0..<3 {
                let fd = try Self.connect(port)
                Self.send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                held.append(fd)
            }
            // Each held connection has its answer, so the collector has admitted all three.
            for fd in held { #expect(await Self.readResponse(fd).hasPrefix("HTTP/1.1 200")) }
            let extra = try Self.connect(port)
            Self.send(extra, "GET /v1/services HTTP/1.1\r\nHost: x\r\n\r\n")
            let refused = await Self.readAll(extra)
            #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
            #expect(refused.contains("Retry-After: 1") && refused.contains("too_many_connections"))
            close(extra)
            let health = try Self.connect(port)
            Self.send(health, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let healthy = await Self.readAll(health)
            #expect(healthy.hasPrefix("HTTP/1.1 200"), "\(healthy)")
            close(health)
            for fd in held { close(fd) }

            let metrics = harness.collector.metrics
            var bytes: [UInt8] = []
            metrics.registry.emit(into: &bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("vigil_collector_connections_refused_total{reason=\"too_many_connections\"} 1"), "\(text)")
        }
    }
}
