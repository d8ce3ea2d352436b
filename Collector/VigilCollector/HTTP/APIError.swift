import Foundation
import HTTPTypes
import Hummingbird
import VigilWire

/// An error answer with a machine-readable code: `{"error": {"code": ..., "message": ...}}`.
public struct APIError: HTTPResponseError, Sendable {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Stable code (`unauthorized`, `malformed_body`, `body_too_large`, ...).
    public var code: String
    /// Human explanation.
    public var message: String
    /// Extra headers (`Connection: close` after an unread body).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(APIErrorBody(code: code, message: message), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, code: "unauthorized", message) }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message) }

    /// The answer for an upload that could not be read.
    init(_ error: WireError) {
        self.init(HTTPResponse.Status(code: error.code.httpStatus), code: error.code.rawValue, error.message)
    }
}

/// JSON response bodies with stable key order.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 64 * 1024) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("invalid JSON body: \(error)")
        }
    }
}
