import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilAgent
import VigilWire

/// Talks to the collector's JSON API with an admin token.
public struct CollectorClient: Sendable {
    /// Collector base URL.
    public var baseURL: String
    /// Admin token.
    public var token: String
    /// Per-request timeout.
    public var timeout: TimeAmount = .seconds(15)
    /// CA and client certificate for an `https://` collector; nil uses the system roots and no certificate.
    public var tls: ClientTLSFiles?

    public init(baseURL: String, token: String, tls: ClientTLSFiles? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.tls = tls
    }

    /// GETs `path` and decodes the JSON answer.
    public func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        try await request(.GET, path, body: nil, as: type)
    }

    /// GETs every page of a list route (`?limit=&cursor=`, next cursor in `X-Next-Cursor`), in order.
    public func getAll<T: Decodable>(_ path: String, as type: [T].Type) async throws -> [T] {
        var items: [T] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let pagePath = cursor.map { path + separator + "cursor=" + $0 } ?? path
            let (page, next) = try await requestWithHeaders(.GET, pagePath, body: nil, as: [T].self)
            items += page
            cursor = next["X-Next-Cursor"].first
        } while cursor != nil
        return items
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
        try await requestWithHeaders(method, path, body: body, as: type).0
    }

    private func requestWithHeaders<T: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, as type: T.Type
    ) async throws -> (T, HTTPHeaders) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let (status, headers, bytes): (Int, HTTPHeaders, [UInt8])
        do {
            (status, headers, bytes) = try await send(request)
        } catch let error as ClientTLSError {
            throw CLIError(.unreachable, error.message)
        } catch {
            throw CLIError(.unreachable, "cannot reach the collector at \(baseURL): \(error) (is it running? set --collector or VIGIL_COLLECTOR)")
        }
        guard (200...299).contains(status) else {
            if let problem = try? JSONDecoder().decode(APIErrorBody.self, from: Data(bytes)) {
                throw CLIError(.collector, "collector answered \(status): \(problem.error.message)", httpStatus: status)
            }
            throw CLIError(.collector, "collector answered \(status): \(String(decoding: bytes.prefix(500), as: UTF8.self))", httpStatus: status)
        }
        if T.self == Empty.self { return (Empty() as! T, headers) }
        do {
            return (try JSONDecoder().decode(T.self, from: Data(bytes)), headers)
        } catch {
            throw CLIError(.collector, "unexpected answer from the collector: \(error)")
        }
    }

    /// Sends on the shared client, or on one made for the TLS files and shut down afterwards.
    private func send(_ request: HTTPClientRequest) async throws -> (Int, HTTPHeaders, [UInt8]) {
        guard let tls else { return try await Self.execute(request, on: HTTPClient.shared, timeout: timeout) }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try tls.configuration()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let answer = try await Self.execute(request, on: client, timeout: timeout)
            try await client.shutdown()
            return answer
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func execute(_ request: HTTPClientRequest, on client: HTTPClient, timeout: TimeAmount) async throws -> (Int, HTTPHeaders, [UInt8]) {
        let response = try await client.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, Array(buffer.readableBytesView))
    }
}
