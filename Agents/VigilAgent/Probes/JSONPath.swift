/// A small JSON path: `$.a.b[0].c` (the `$` is optional). Enough to pick one value out of a health
/// endpoint's answer.
struct JSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]
    let text: String

    /// Parses `text`; `nil` when malformed.
    init?(_ text: String) {
        self.text = text
        var rest = Substring(text)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        var steps: [Step] = []
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { return nil }
                steps.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0 else {
                    return nil
                }
                steps.append(.index(index))
                rest = rest[rest.index(after: close)...]
            } else if steps.isEmpty {
                // `a.b` without the leading `$.`
                let key = rest.prefix { $0 != "." && $0 != "[" }
                steps.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    /// The value at the path in a parsed JSON document, or `nil`.
    func value(in document: JSONValue) -> JSONValue? {
        var current = document
        for step in steps {
            switch step {
            case .key(let key):
                guard case .object(let members) = current, let next = members[key] else { return nil }
                current = next
            case .index(let index):
                guard case .array(let elements) = current, index < elements.count else { return nil }
                current = elements[index]
            }
        }
        return current
    }
}
