import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VigilCollector

/// Runs services in a `ServiceGroup` for the length of `body`, then shuts them down gracefully.
public func withServices(
    _ services: [any Service],
    logger: Logger = Logger(label: "vigil.test"),
    _ body: @Sendable () async throws -> Void
) async throws {
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Waits for a port reported through a callback.
public final class PortPromise: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int.self)
    }

    /// Pass this as the `onListening` / `onServerRunning` callback.
    public var callback: @Sendable (Int) async -> Void {
        { [continuation] port in continuation.yield(port) }
    }

    /// The first port reported.
    public func port() async -> Int {
        for await port in stream { return port }
        return 0
    }
}

/// A collector on 127.0.0.1 with a free port and a temporary data directory.
public struct TestCollector: Sendable {
    public let collector: Collector
    public let ports: PortPromise
    public let directory: TemporaryDirectory

    /// The PostgreSQL database it uses, when on PostgreSQL.
    public let database: TestDatabase?

    public init(
        engine: StoreEngine = .sqlite, logger: Logger? = nil, configure: (inout CollectorConfiguration) -> Void = { _ in }
    ) async throws {
        directory = try TemporaryDirectory("vigil-collector")
        var configuration = CollectorConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory.path
        if engine == .postgres {
            let database = try await TestDatabase.create()
            configuration.storage = .postgres(database.settings)
            self.database = database
        } else {
            database = nil
        }
        configure(&configuration)
        let ports = PortPromise()
        self.ports = ports
        var quiet = Logger(label: "vigil.test.collector")
        quiet.logLevel = .warning
        collector = try await Collector(configuration: configuration, logger: logger ?? quiet, onListening: ports.callback)
    }

    /// Deletes its data: the directory, and the PostgreSQL database when there is one.
    public func remove() async {
        directory.remove()
        await (collector.store as? PostgresStore)?.close()
        await database?.drop()
    }

    /// Registers an agent straight in the store and returns its token.
    public func addAgent(_ name: String) async throws -> String {
        let token = Tokens.generate(prefix: "vigil_agt_")
        _ = try await collector.store.registerAgent(name: name, tokenHash: Tokens.hash(token), nowMs: 0)
        return token
    }
}

/// An HTTP target whose `/health` answers 200 or 503 as the test switches it, with a few more routes for
/// probe tests: `/json`, `/slow` (300 ms), `/redirect` (302 to `/health`), `/loop` (redirects to itself)
/// and `/echo` (answers with the method, the `X-Probe` header and the body).
public struct SwitchableTarget: Sendable {
    private let box: Box
    public let ports = PortPromise()

    final class Box: Sendable {
        let healthy = Mutex<Bool>(true)
        let answers = Mutex<[HealthAnswer]>([])
    }

    /// One `/health` request as the target answered it.
    public struct HealthAnswer: Sendable {
        /// When it arrived (ms since the epoch).
        public var atMs: Int64
        /// Whether it was answered 200.
        public var healthy: Bool
    }

    /// Every `/health` request so far, in arrival order.
    public func healthAnswers() -> [HealthAnswer] {
        box.answers.withLock { $0 }
    }

    public init() {
        box = Box()
    }

    /// Makes `/health` answer 200 (`true`) or 503 (`false`).
    public func setHealthy(_ healthy: Bool) {
        box.healthy.withLock { $0 = healthy }
    }

    /// The server as a `Service`, on 127.0.0.1 with a free port.
    public func application() -> some Service {
        let router = Router()
        let box = self.box
        router.get("/health") { _, _ -> Response in
            let healthy = box.healthy.withLock { $0 }
            let now = Int64(Date().timeIntervalSince1970 * 1_000)
            box.answers.withLock { $0.append(HealthAnswer(atMs: now, healthy: healthy)) }
            return Response(status: healthy ? .ok : .serviceUnavailable)
        }
        router.get("/json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","items":["a","b"],"db":{"ok":true,"lag":3}}"#)))
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .milliseconds(300))
            return Response(status: .ok)
        }
        router.get("/redirect") { _, _ -> Response in Response(status: .found, headers: [.location: "/health"]) }
        router.get("/loop") { _, _ -> Response in Response(status: .found, headers: [.location: "/loop"]) }
        router.on("/echo", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let text = "\(request.method.rawValue) \(request.headers[.init("X-Probe")!] ?? "-") \(String(buffer: body))"
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let ports = self.ports
        var logger = Logger(label: "vigil.test.target")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await ports.callback(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
