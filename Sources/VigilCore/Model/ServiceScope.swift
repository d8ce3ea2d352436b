/// The services an agent may report: service names or glob patterns (`*` any run of characters, `?` one
/// character), as in `vigil agents add edge-1 --services 'api,web-*'`. Matching works on Unicode scalars,
/// so a pattern means the same thing whatever the names' normalisation looks like.
public struct ServiceScope: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The patterns, in the order given; at least one.
    public let patterns: [String]

    /// Parses a comma-separated list; blanks around the commas are ignored.
    public init(parsing text: String) throws(ServiceScopeError) {
        try self.init(text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() })
    }

    /// A scope of these patterns; each must be 1–200 bytes, without a control character.
    public init(_ patterns: [String]) throws(ServiceScopeError) {
        guard !patterns.isEmpty else { throw ServiceScopeError("a scope needs at least one service or pattern") }
        for pattern in patterns {
            guard !pattern.isEmpty else { throw ServiceScopeError("an empty service pattern (two commas in a row?)") }
            guard pattern.utf8.count <= 200 else { throw ServiceScopeError("the service pattern \"\(pattern.prefix(40))…\" is longer than 200 bytes") }
            guard !pattern.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ServiceScopeError("a service pattern holds a control character")
            }
        }
        self.patterns = patterns
    }

    /// Whether `service` matches one of the patterns.
    public func allows(_ service: String) -> Bool {
        let name = Array(service.unicodeScalars)
        return patterns.contains { Self.match(Array($0.unicodeScalars)[...], name[...]) }
    }

    public var description: String { patterns.joined(separator: ",") }

    /// Glob matching with `*` and `?`, iterative with one backtrack point (linear in practice, never
    /// exponential, whatever the pattern).
    static func match(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex, n = name.startIndex
        var star: Int?, resume = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex, pattern[p] == "?" || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.endIndex, pattern[p] == "*" {
                star = p
                resume = n
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    public init(from decoder: any Decoder) throws {
        let patterns = try decoder.singleValueContainer().decode([String].self)
        do {
            try self.init(patterns)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(patterns)
    }
}

/// A service scope that cannot be used, with the reason.
public struct ServiceScopeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
