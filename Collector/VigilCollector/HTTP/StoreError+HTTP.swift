import HTTPTypes
import Hummingbird
import VigilWire

/// A store failure that reaches a route unhandled answers with its code instead of a bare 500: a store
/// that cannot be reached (PostgreSQL down, a deadline passed) is `503` with `Retry-After`, so agents and
/// scripts retry, possibly on another replica.
extension StoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .unavailable: .serviceUnavailable
        case .notFound: .notFound
        case .alreadyExists, .refused: .conflict
        case .limitExceeded: .forbidden
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(APIErrorBody(code: code == .unavailable ? "store_unavailable" : code.rawValue, message: message), status: status)
        if code == .unavailable { response.headers[.retryAfter] = "5" }
        return response
    }
}
