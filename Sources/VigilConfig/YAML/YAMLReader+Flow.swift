extension YAMLReader {
    /// `[a, b]` or `{a: 1, b: 2}`, nested as deep as needed, over as many lines as needed.
    mutating func flowCollection() throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        let isMapping = peek() == "{"
        let closer: Unicode.Scalar = isMapping ? "}" : "]"
        try enterNested()
        defer { depth -= 1 }
        advance()
        flowDepth += 1
        defer { flowDepth -= 1 }
        var items: [YAMLNode] = []
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var seen: Set<String> = []
        while true {
            try skipToContent()
            guard let scalar = peek() else { throw error("unterminated flow collection (missing \"\(closer)\")", at: start) }
            if scalar == closer {
                advance()
                break
            }
            let entry = try flowNode(closer: closer)
            try skipToContent()
            if isMapping || peek() == ":" {
                var value = YAMLNode.empty(at: mark)
                if peek() == ":" {
                    advance()
                    try skipToContent()
                    value = peek() != "," && peek() != closer ? try flowNode(closer: closer) : .empty(at: mark)
                    try skipToContent()
                }
                if isMapping {
                    if let name = entry.scalarText, !seen.insert(name).inserted {
                        throw error("duplicate key \"\(name)\"", at: entry.mark)
                    }
                    pairs.append((entry, value))
                } else {
                    items.append(YAMLNode(.mapping([(entry, value)]), mark: entry.mark))
                }
            } else {
                items.append(entry)
            }
            if peek() == "," {
                advance()
            } else if peek() != closer {
                if atEnd { throw error("unterminated flow collection (missing \"\(closer)\")", at: start) }
                throw error("expected \",\" or \"\(closer)\"")
            }
        }
        return isMapping ? YAMLNode(.mapping(pairs), mark: start) : YAMLNode(.sequence(items), mark: start)
    }

    /// One entry of a flow collection.
    private mutating func flowNode(closer: Unicode.Scalar) throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        let properties = try readProperties()
        if properties.present { try skipToContent() }
        let node: YAMLNode
        switch peek() {
        case "[", "{": node = try flowCollection()
        case "*": node = try alias()
        case "\"": node = try doubleQuoted()
        case "'": node = try singleQuoted()
        case ",", closer: node = .empty(at: start)
        default: node = try flowPlain()
        }
        return try properties.apply(to: node, in: &self)
    }

    /// A plain scalar inside a flow collection; it may go on over line breaks, folded with spaces.
    private mutating func flowPlain() throws(YAMLSyntaxError) -> YAMLNode {
        let first = try plainSegment(flow: true)
        var text = first.scalarText ?? ""
        while peek() == "\n" {
            let saved = state
            try skipToContent()
            guard let scalar = peek(), !",[]{}:#".unicodeScalars.contains(scalar) else {
                state = saved
                break
            }
            text += " " + (try plainSegment(flow: true).scalarText ?? "")
        }
        return YAMLNode(.scalar(text, plain: true), mark: first.mark)
    }
}
