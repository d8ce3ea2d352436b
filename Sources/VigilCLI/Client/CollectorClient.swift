import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilWire

/// Talks to the collector's JSON API with an admin token.
public struct CollectorClient: Sendable {
    /// Collector base URL.
    public var baseURL: String
    /// Admin token.
    public var token: String
    /// Per-request timeout.
    public var timeout: TimeAmount = .seconds(15)

    public init(baseURL: String, token: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
    }

    /// GETs `path` and decodes the JSON answer.
    public func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        try await request(.GET, path, body: nil, as: type)
    }

    /// POSTs a JSON body to `path` and decodes the JSON answer.
    public func post<T: Decodable>(_ path: String, body: some Encodable, as type: T.Type) async throws -> T {
        let data = try JSONEncoder().encode(body)
        return try await request(.POST, path, body: Array(data), as: type)
    }

    /// DELETEs `path`; succeeds on any 2xx answer.
    public func delete(_ path: String) async throws {
        _ = try await request(.DELETE, path, body: nil, as: Empty.self)
    }

    /// A body that is ignored (204 answers have none).
    private struct Empty: Decodable {}

    private func request<T: Decodable>(_ method: HTTPMethod, _ path: String, body: [UInt8]?, as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let (status, bytes): (Int, [UInt8])
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 64 << 20)
            (status, bytes) = (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw CLIError(.unreachable, "cannot reach the collector at \(baseURL): \(error) (is it running? set --collector or VIGIL_COLLECTOR)")
        }
        guard (200...299).contains(status) else {
            if let problem = try? JSONDecoder().decode(APIErrorBody.self, from: Data(bytes)) {
                throw CLIError(.collector, "collector answered \(status): \(problem.error.message)")
            }
            throw CLIError(.collector, "collector answered \(status): \(String(decoding: bytes.prefix(500), as: UTF8.self))")
        }
        if T.self == Empty.self { return Empty() as! T }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw CLIError(.collector, "unexpected answer from the collector: \(error)")
        }
    }
}
