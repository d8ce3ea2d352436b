import Foundation
import Hummingbird

extension RequestContext {
    /// A path parameter, percent-decoded: the router matches the raw path, so `/badge/a%26b/…` names
    /// the service `a&b`. Throws 400 when the parameter is missing.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
