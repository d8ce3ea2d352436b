import Foundation
import Hummingbird
import Logging

/// A small HTTP service for the quickstart that goes down on a schedule, so a newcomer sees real
/// outages within minutes: `GET /demo` answers 200 for `upSeconds`, then 503 for `downSeconds`, and so
/// on, aligned to the wall clock.
struct DemoTarget: Sendable {
    /// Seconds up in each cycle. Default 90.
    var upSeconds: Int = 90
    /// Seconds down in each cycle. Default 30.
    var downSeconds: Int = 30

    /// Whether the demo is down at `date`.
    func isDown(at date: Date) -> Bool {
        let cycle = upSeconds + downSeconds
        let second = Int(date.timeIntervalSince1970) % cycle
        return second >= upSeconds
    }

    func application(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let target = self
        router.get("/demo") { _, _ -> Response in
            if target.isDown(at: Date()) {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "scheduled outage\n")))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/") { _, _ in
            "Vigil demo target: GET /demo is up \(target.upSeconds)s, then down \(target.downSeconds)s, repeating.\n"
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "vigil-demo"),
            logger: logger
        )
    }
}
