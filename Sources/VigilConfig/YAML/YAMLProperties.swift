/// The `&anchor` and `!tag` written before a node.
struct YAMLProperties {
    /// Where the first property starts: the node's position, as libyaml reports it.
    var mark: YAMLMark?
    var anchor: String?
    /// `!!str`: the scalar is text even if it looks like a number, a boolean or null. (`!` alone is
    /// accepted and, as libyaml does, left to resolve as usual.)
    var forcesText = false
    var tagged = false

    var present: Bool { anchor != nil || tagged }

    /// The tags with a meaning here: the core schema's, which only confirm or force how a scalar reads.
    static let knownTags: Set<String> = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!timestamp"]

    /// Records the anchor and applies the tag.
    func apply(to node: YAMLNode, in reader: inout YAMLReader) throws(YAMLSyntaxError) -> YAMLNode {
        var node = node
        if let mark { node.mark = mark }
        if forcesText {
            guard case .scalar(let text, _) = node.content else {
                throw reader.error("!!str can only tag a text, not a list or mapping", at: node.mark)
            }
            node.content = .scalar(text, plain: false)
        }
        if let anchor { reader.anchors[anchor] = node }
        return node
    }
}

extension YAMLReader {
    /// Reads any `&anchor` and `!tag` at the cursor, with the spaces after them.
    mutating func readProperties() throws(YAMLSyntaxError) -> YAMLProperties {
        var properties = YAMLProperties()
        while true {
            let start = mark
            if peek() == "&" || peek() == "!" { properties.mark = properties.mark ?? start }
            if peek() == "&" {
                advance()
                let name = readName()
                guard !name.isEmpty else { throw error("an anchor needs a name after \"&\"", at: start) }
                guard properties.anchor == nil else { throw error("a node can have only one anchor", at: start) }
                properties.anchor = name
            } else if peek() == "!" {
                var tag = ""
                while let scalar = peek(), !blank() {
                    tag.unicodeScalars.append(scalar)
                    advance()
                }
                let short = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : tag
                if short == "!!str" {
                    properties.forcesText = true
                } else if short != "!" && !YAMLProperties.knownTags.contains(short) {
                    throw error("unsupported tag \"\(tag)\"", at: start)
                }
                properties.tagged = true
            } else {
                return properties
            }
            skipSpaces()
        }
    }
}
