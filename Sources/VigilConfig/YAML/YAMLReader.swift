/// Reads YAML documents into ``YAMLNode`` trees: the block and flow styles configuration files use.
///
/// Supported: block mappings and sequences (including sequences at their key's indentation), flow
/// collections, plain, single- and double-quoted scalars (folded over lines), literal and folded block
/// scalars with chomping and indentation indicators, comments, anchors and aliases, the `!!str`-style
/// core tags, directives and multi-document streams. Refused with a located message: tabs as
/// indentation, complex (`?`) and collection keys, duplicate keys, other tags, aliases expanding
/// to more than ``maxNodes`` nodes, and collections nested deeper than ``maxDepth``.
///
/// Written for the agent, which must not link the full Foundation (and ICU) that a YAML library does.
struct YAMLReader {
    /// Most nodes a document may hold once aliases are expanded (a guard against "billion laughs").
    static let maxNodes = 1_000_000
    /// Deepest nesting of collections a document may have. The reader recurses once per level, so
    /// without a limit `[[[[…` or `- - - -…` a few kilobytes long overflowed the stack (a fuzzing
    /// finding, `Fuzz/FailCases/config/`); no configuration comes near 100 levels.
    static let maxDepth = 100

    let text: [Unicode.Scalar]
    var position = 0
    var line = 1
    var column = 1
    var anchors: [String: YAMLNode] = [:]
    var nodes = 0
    /// How many flow collections the cursor is inside; tabs may separate tokens there.
    var flowDepth = 0
    /// How many nodes the cursor is inside (``maxDepth``).
    var depth = 0

    init(_ source: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var previous: Unicode.Scalar?
        for scalar in source.unicodeScalars {
            if scalar == "\u{FEFF}" && scalars.isEmpty { continue }
            if scalar == "\n" && previous == "\r" { previous = scalar; continue }
            scalars.append(scalar == "\r" ? "\n" : scalar)
            previous = scalar
        }
        text = scalars
    }

    /// Every document of the stream; an empty stream has none.
    static func documents(_ source: String) throws(YAMLSyntaxError) -> [YAMLNode] {
        var reader = YAMLReader(source)
        return try reader.stream()
    }

    // MARK: Cursor

    var atEnd: Bool { position >= text.count }
    var mark: YAMLMark { YAMLMark(line: line, column: column) }
    /// The current column as an indentation (0-based).
    var indent: Int { column - 1 }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < text.count ? text[position + offset] : nil
    }

    /// Whether the character at `offset` is a space, tab, line break or the end.
    func blank(_ offset: Int = 0) -> Bool {
        guard let scalar = peek(offset) else { return true }
        return scalar == " " || scalar == "\t" || scalar == "\n"
    }

    mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where !atEnd {
            if text[position] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            position += 1
        }
    }

    func error(_ message: String, at mark: YAMLMark? = nil) -> YAMLSyntaxError {
        YAMLSyntaxError(mark: mark ?? self.mark, message: message)
    }

    /// Skips spaces and tabs on the current line.
    mutating func skipSpaces() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { advance() }
    }

    /// Whether the rest of the line holds nothing but an optional comment.
    func atLineEnd() -> Bool {
        var offset = 0
        while let scalar = peek(offset), scalar == " " || scalar == "\t" { offset += 1 }
        guard let scalar = peek(offset) else { return true }
        return scalar == "\n" || scalar == "#"
    }

    /// Skips to the next character that is not whitespace or a comment. Tabs may not indent content.
    mutating func skipToContent() throws(YAMLSyntaxError) {
        while let scalar = peek() {
            switch scalar {
            case " ":
                advance()
            case "\t":
                if flowDepth == 0 && isLineIndentation {
                    var offset = 1
                    while let next = peek(offset), next == " " || next == "\t" { offset += 1 }
                    if let next = peek(offset), next != "\n", next != "#" {
                        throw error("tab characters must not be used for indentation")
                    }
                }
                advance()
            case "\n":
                advance()
            case "#":
                while let next = peek(), next != "\n" { advance() }
            default:
                return
            }
        }
    }

    /// Whether everything before the cursor on this line is whitespace.
    private var isLineIndentation: Bool {
        var index = position - 1
        while index >= 0, text[index] != "\n" {
            if text[index] != " " && text[index] != "\t" { return false }
            index -= 1
        }
        return true
    }

    /// Requires the rest of the line to be empty or a comment.
    mutating func expectLineEnd(after what: String) throws(YAMLSyntaxError) {
        skipSpaces()
        guard atLineEnd() else { throw error("unexpected content after \(what)") }
    }

    /// Whether the cursor is on a `---` or `...` line start.
    var atDocumentMarker: Bool {
        guard column == 1, let a = peek(), let b = peek(1), let c = peek(2), a == b, b == c, a == "-" || a == "." else { return false }
        return blank(3)
    }

    // MARK: Stream

    mutating func stream() throws(YAMLSyntaxError) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        while true {
            try skipToContent()
            while column == 1, peek() == "%" {
                while let next = peek(), next != "\n" { advance() }
                try skipToContent()
            }
            if atEnd { break }
            var explicit = false
            if atDocumentMarker && peek() == "-" {
                advance(3)
                explicit = true
                skipSpaces()
                if atLineEnd() { try skipToContent() }
            } else if atDocumentMarker {
                // `...` with no document before it.
                advance(3)
                try expectLineEnd(after: "the end of a document")
                continue
            }
            anchors = [:]
            if atEnd || atDocumentMarker {
                if explicit { documents.append(.empty(at: mark)) }
            } else {
                documents.append(try node(parentIndent: -1, inline: false))
                try skipToContent()
            }
            if atDocumentMarker && peek() == "." {
                advance(3)
                try expectLineEnd(after: "the end of a document")
            } else if !atEnd && !atDocumentMarker {
                throw error("expected the end of the document, found more content (check the indentation)")
            }
        }
        return documents
    }

    // MARK: Block structure

    /// A node starting at the cursor. `inline` when it follows `key:` on the same line, where neither a
    /// block sequence nor another key may start.
    mutating func node(parentIndent: Int, inline: Bool) throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        try enterNested()
        defer { depth -= 1 }
        var properties = try readProperties()
        if properties.present && atLineEnd() {
            try skipToContent()
            let nested: YAMLNode
            // After `key: &anchor`, a list may sit at the key's own indentation.
            if atEnd || atDocumentMarker || indent <= parentIndent && !(inline && indent == parentIndent && peek() == "-" && blank(1)) {
                nested = .empty(at: start)
            } else {
                nested = try node(parentIndent: parentIndent, inline: false)
            }
            return try properties.apply(to: nested, in: &self)
        }
        let result: YAMLNode
        switch peek() {
        case "-" where blank(1):
            if inline { throw error("a list cannot start on the same line as its key; put it on the next line") }
            result = try blockSequence(indent: indent)
        case "|", ">":
            result = try blockScalar(parentIndent: parentIndent)
        case "[", "{":
            result = try flowCollection()
            skipSpaces()
            if peek() == ":" && blank(1) { throw error("a mapping key must be a plain or quoted text", at: start) }
            try expectLineEnd(after: "a flow collection")
        case "*":
            result = try alias()
            skipSpaces()
            if peek() == ":" && blank(1) { throw error("an alias cannot be a mapping key", at: start) }
            try expectLineEnd(after: "an alias")
        case "?" where blank(1):
            throw error("complex mapping keys (`? `) are not supported")
        default:
            let keyIndent = indent
            var scalar = try lineScalar()
            skipSpaces()
            if peek() == ":" && blank(1) {
                if inline { throw error("mapping values are not allowed here (is a space missing, or a quote?)") }
                // `&anchor key: value` anchors the key, not the mapping.
                scalar = try properties.apply(to: scalar, in: &self)
                properties = YAMLProperties()
                result = try blockMapping(indent: keyIndent, firstKey: scalar)
            } else {
                result = try continuePlain(scalar, parentIndent: parentIndent)
            }
        }
        return try properties.apply(to: result, in: &self)
    }

    /// A block mapping whose first key has been read; the cursor is on its `:`.
    mutating func blockMapping(indent mappingIndent: Int, firstKey: YAMLNode) throws(YAMLSyntaxError) -> YAMLNode {
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var seen: Set<String> = []
        var key = firstKey
        while true {
            if let name = key.scalarText, !seen.insert(name).inserted {
                throw error("duplicate key \"\(name)\"", at: key.mark)
            }
            advance() // the ':'
            let value = try mappingValue(indent: mappingIndent, colon: mark)
            pairs.append((key, value))
            try skipToContent()
            if atEnd || atDocumentMarker || indent < mappingIndent { break }
            if indent > mappingIndent { throw error("bad indentation: expected a key at column \(mappingIndent + 1)") }
            if peek() == "-" && blank(1) { throw error("a list item where a key was expected (check the indentation)") }
            if peek() == "?" && blank(1) { throw error("complex mapping keys (`? `) are not supported") }
            if peek() == "[" || peek() == "{" || peek() == "*" { throw error("a mapping key must be a plain or quoted text") }
            let keyProperties = try readProperties()
            key = try keyProperties.apply(to: lineScalar(), in: &self)
            skipSpaces()
            guard peek() == ":" && blank(1) else {
                throw error("expected \":\" after the key \"\(key.scalarText ?? "")\"", at: key.mark)
            }
        }
        return YAMLNode(.mapping(pairs), mark: firstKey.mark)
    }

    /// The value after `key:`, on the same line or on the lines below.
    mutating func mappingValue(indent mappingIndent: Int, colon: YAMLMark) throws(YAMLSyntaxError) -> YAMLNode {
        skipSpaces()
        if !atLineEnd() { return try node(parentIndent: mappingIndent, inline: true) }
        try skipToContent()
        if atEnd || atDocumentMarker { return .empty(at: colon) }
        if indent > mappingIndent { return try node(parentIndent: mappingIndent, inline: false) }
        if indent == mappingIndent && peek() == "-" && blank(1) { return try blockSequence(indent: mappingIndent) }
        return .empty(at: colon)
    }

    /// A block sequence whose first `-` is at the cursor.
    mutating func blockSequence(indent sequenceIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        var items: [YAMLNode] = []
        while true {
            advance() // the '-'
            let dash = mark
            skipSpaces()
            if atLineEnd() {
                try skipToContent()
                if !atEnd && !atDocumentMarker && indent > sequenceIndent {
                    items.append(try node(parentIndent: sequenceIndent, inline: false))
                } else {
                    items.append(.empty(at: dash))
                }
            } else {
                items.append(try node(parentIndent: sequenceIndent, inline: false))
            }
            try skipToContent()
            if atEnd || atDocumentMarker || indent < sequenceIndent { break }
            if indent > sequenceIndent { throw error("bad indentation: expected \"-\" at column \(sequenceIndent + 1)") }
            guard peek() == "-" && blank(1) else { break }
        }
        return YAMLNode(.sequence(items), mark: start)
    }

    /// `*name`: a copy of the anchored node.
    mutating func alias() throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        advance()
        let name = readName()
        guard !name.isEmpty else { throw error("an alias needs a name after \"*\"", at: start) }
        guard let node = anchors[name] else { throw error("unknown alias \"\(name)\" (anchors must come first)", at: start) }
        try count(node.size)
        return node
    }

    /// Counts nodes towards ``maxNodes``.
    /// One level deeper; the caller leaves it with `depth -= 1`.
    mutating func enterNested() throws(YAMLSyntaxError) {
        guard depth < Self.maxDepth else { throw error("collections nested more than \(Self.maxDepth) levels deep") }
        depth += 1
    }

    mutating func count(_ added: Int) throws(YAMLSyntaxError) {
        nodes += added
        if nodes > Self.maxNodes { throw error("the document expands to more than \(Self.maxNodes) nodes") }
    }

    /// An anchor or alias name: letters, digits, `-` and `_`, as libyaml reads them.
    mutating func readName() -> String {
        var name = ""
        while let scalar = peek(), scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" {
            name.unicodeScalars.append(scalar)
            advance()
        }
        return name
    }
}
