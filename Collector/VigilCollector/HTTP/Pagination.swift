import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// `?limit=N&cursor=C` on list routes (issue 19: read routes stay bounded whatever agents send). Items
/// are ordered by a string key; the cursor is the last key of the page before, base64url-encoded, and
/// the answer carries the next page's cursor in `X-Next-Cursor` and a `Link: <…>; rel="next"` header
/// (RFC 8288) while more remain. The body stays a plain JSON array.
struct Page: Sendable, Hashable {
    /// Items per page when the request does not say. Default 1,000.
    static let defaultLimit = 1_000
    /// The most a request may ask for.
    static let maxLimit = 5_000

    var limit: Int
    /// Items must sort after this key.
    var after: String?

    init(limit: Int = Page.defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor`; 400 with the reason for bad ones.
    init(_ query: FlatDictionary<Substring, Substring>) throws {
        limit = Self.defaultLimit
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw APIError.badRequest("limit must be a whole number from 1 to \(Self.maxLimit)")
            }
            limit = value
        }
        if let cursor = query.get("cursor"), !cursor.isEmpty {
            guard let key = Self.decode(cursor) else { throw APIError.badRequest("cursor is not one this collector gave") }
            after = key
        }
    }

    /// The page of `keys` (sorted ascending, by Swift's `<`) and the cursor of the next page, if any.
    func slice(_ keys: [String]) -> (keys: ArraySlice<String>, next: String?) {
        let start = after.map { after in keys.partitionPoint { $0 > after } } ?? 0
        let end = min(keys.count, start + limit)
        let page = keys[start..<end]
        return (page, end < keys.count ? page.last.map(Self.encode) : nil)
    }

    /// Adds `X-Next-Cursor` and `Link` to `response` when there is a next page; the link keeps the
    /// request's other query parameters (a report's window).
    func addNextLink(_ next: String?, path: String, query: FlatDictionary<Substring, Substring>? = nil, to response: inout Response) {
        guard let next else { return }
        response.headers[HTTPField.Name("X-Next-Cursor")!] = next
        var parameters = (query.map(Array.init) ?? []).filter { $0.key != "limit" && $0.key != "cursor" }
            .map { "\(Self.percentEncoded($0.key))=\(Self.percentEncoded($0.value))" }
        parameters += ["limit=\(limit)", "cursor=\(next)"]
        response.headers[HTTPField.Name("Link")!] = "<\(path)?\(parameters.joined(separator: "&"))>; rel=\"next\""
    }

    static func percentEncoded(_ text: Substring) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return String(text).addingPercentEncoding(withAllowedCharacters: allowed) ?? String(text)
    }

    static func encode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned by it (all that do
    /// not, then all that do).
    func partitionPoint(_ belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
