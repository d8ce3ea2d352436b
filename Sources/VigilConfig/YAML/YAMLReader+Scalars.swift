extension YAMLReader {
    /// The cursor, to look ahead and come back.
    var state: (position: Int, line: Int, column: Int) {
        get { (position, line, column) }
        set { (position, line, column) = newValue }
    }

    /// A scalar that fits on the rest of the line: a quoted text, or a plain one up to `: `, ` #` or
    /// the line end. A plain scalar may continue on the next lines; see ``continuePlain(_:parentIndent:)``.
    mutating func lineScalar() throws(YAMLSyntaxError) -> YAMLNode {
        switch peek() {
        case "\"": return try doubleQuoted()
        case "'": return try singleQuoted()
        default: return try plainSegment(flow: false)
        }
    }

    /// A plain scalar's first line (or a flow scalar's), trailing spaces removed.
    mutating func plainSegment(flow: Bool, continuation: Bool = false) throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        if !continuation, let first = peek() {
            if "@`".unicodeScalars.contains(first) {
                throw error("\"\(first)\" is reserved and cannot start a plain text; quote the value")
            }
            if ",[]{}#&*!|>%".unicodeScalars.contains(first) || ("-?:".unicodeScalars.contains(first) && endsPlain(at: 1, flow: flow)) {
                throw error("unexpected \"\(first)\"; quote the value if it is text")
            }
        }
        var text = ""
        var spaces = ""
        while let scalar = peek(), scalar != "\n" {
            if scalar == ":" && endsPlain(at: 1, flow: flow) { break }
            if flow && ",[]{}".unicodeScalars.contains(scalar) { break }
            if scalar == " " || scalar == "\t" {
                if peek(1) == "#" { break }
                spaces.unicodeScalars.append(scalar)
            } else {
                text += spaces
                spaces = ""
                text.unicodeScalars.append(scalar)
            }
            advance()
        }
        return YAMLNode(.scalar(text, plain: true), mark: start)
    }

    /// Whether the character at `offset` ends a plain scalar after a `:`, `-` or `?`.
    private func endsPlain(at offset: Int, flow: Bool) -> Bool {
        if blank(offset) { return true }
        return flow && ",[]{}".unicodeScalars.contains(peek(offset)!)
    }

    /// Finishes a scalar that started on this line: a plain one takes in the more-indented lines that
    /// follow (folded with spaces, blank lines kept as line breaks); anything else must end the line.
    mutating func continuePlain(_ first: YAMLNode, parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        guard case .scalar(var text, plain: true) = first.content else {
            try expectLineEnd(after: "a quoted text")
            return first
        }
        skipSpaces()
        while peek() == "\n" {
            let saved = state
            var breaks = 0
            while peek() == "\n" {
                advance()
                breaks += 1
                while let scalar = peek(), scalar == " " || scalar == "\t" { advance() }
            }
            guard !atEnd, peek() != "#", indent > parentIndent, !(column == 1 && atDocumentMarker) else {
                state = saved
                break
            }
            let segment = try plainSegment(flow: false, continuation: true)
            if peek() == ":" { throw error("mapping values are not allowed here (check the indentation)") }
            text += breaks == 1 ? " " : String(repeating: "\n", count: breaks - 1)
            text += segment.scalarText ?? ""
            skipSpaces()
        }
        guard atLineEnd() else { throw error("unexpected content after a text") }
        return YAMLNode(.scalar(text, plain: true), mark: first.mark)
    }

    // MARK: Quoted

    /// A `'…'` scalar: `''` is a quote, lines fold like plain text.
    mutating func singleQuoted() throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        advance()
        var text = ""
        while true {
            guard let scalar = peek() else { throw error("unterminated quoted text (missing ')", at: start) }
            if scalar == "'" {
                if peek(1) == "'" {
                    text += "'"
                    advance(2)
                    continue
                }
                advance()
                return YAMLNode(.scalar(text, plain: false), mark: start)
            }
            if scalar == "\n" {
                foldQuotedBreak(into: &text)
                continue
            }
            text.unicodeScalars.append(scalar)
            advance()
        }
    }

    /// A `"…"` scalar with its escapes.
    mutating func doubleQuoted() throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        advance()
        var text = ""
        var kept = 0 // scalars at the end of `text` that came from escapes: folding must not trim them
        while true {
            guard let scalar = peek() else { throw error("unterminated quoted text (missing \")", at: start) }
            switch scalar {
            case "\"":
                advance()
                return YAMLNode(.scalar(text, plain: false), mark: start)
            case "\n":
                foldQuotedBreak(into: &text, keeping: kept)
            case "\\":
                let escape = mark
                advance()
                guard let code = peek() else { throw error("unterminated quoted text (missing \")", at: start) }
                if code == "\n" {
                    // An escaped line break joins the lines with nothing between them.
                    advance()
                    while let next = peek(), next == " " || next == "\t" { advance() }
                    continue
                }
                advance()
                if let simple = Self.escapes[code] {
                    text.unicodeScalars.append(simple)
                    kept = text.unicodeScalars.count
                } else if let digits = ["x": 2, "u": 4, "U": 8][Character(code)] {
                    var value: UInt32 = 0
                    for _ in 0..<digits {
                        guard let digit = peek(), let nibble = UInt32(String(digit), radix: 16) else {
                            throw error("\\\(code) needs \(digits) hexadecimal digits", at: escape)
                        }
                        value = value * 16 + nibble
                        advance()
                    }
                    guard let decoded = Unicode.Scalar(value) else { throw error("\\\(code) is not a valid character", at: escape) }
                    text.unicodeScalars.append(decoded)
                    kept = text.unicodeScalars.count
                } else {
                    throw error("unknown escape \"\\\(code)\" in a double-quoted text", at: escape)
                }
            default:
                text.unicodeScalars.append(scalar)
                advance()
            }
        }
    }

    private static let escapes: [Unicode.Scalar: Unicode.Scalar] = [
        "0": "\0", "a": "\u{07}", "b": "\u{08}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{0B}", "f": "\u{0C}",
        "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\", "N": "\u{85}", "_": "\u{A0}",
        "L": "\u{2028}", "P": "\u{2029}",
    ]

    /// A line break inside quotes: trailing spaces go, one break becomes a space, more keep all but one.
    private mutating func foldQuotedBreak(into text: inout String, keeping kept: Int = 0) {
        while text.unicodeScalars.count > kept, let last = text.unicodeScalars.last, last == " " || last == "\t" {
            text.unicodeScalars.removeLast()
        }
        var breaks = 0
        while peek() == "\n" {
            advance()
            breaks += 1
            while let next = peek(), next == " " || next == "\t" { advance() }
        }
        text += breaks == 1 ? " " : String(repeating: "\n", count: breaks - 1)
    }

    // MARK: Block scalars

    /// A `|` (literal) or `>` (folded) scalar, with its optional indentation and chomping indicators.
    mutating func blockScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = mark
        let literal = peek() == "|"
        advance()
        var explicitIndent: Int?
        var chomp: Unicode.Scalar = "="
        for _ in 0..<2 {
            if let scalar = peek(), let digit = Int(String(scalar)), digit > 0, explicitIndent == nil {
                explicitIndent = digit
                advance()
            } else if let scalar = peek(), (scalar == "+" || scalar == "-"), chomp == "=" {
                chomp = scalar
                advance()
            }
        }
        try expectLineEnd(after: "a block scalar indicator")
        while let scalar = peek(), scalar != "\n" { advance() }
        let endedLine = peek() == "\n"
        advance()

        let base = max(parentIndent, 0)
        let contentIndent = explicitIndent.map { parentIndent >= 0 ? base + $0 : $0 } ?? detectIndent(above: parentIndent)
        var lines: [String?] = [] // nil: an empty line
        var lastHadBreak = endedLine
        while !atEnd {
            let lineStart = state
            var spaces = 0
            while peek() == " " && spaces < contentIndent {
                advance()
                spaces += 1
            }
            var probe = 0
            while let scalar = peek(probe), scalar == " " || scalar == "\t" { probe += 1 }
            if peek(probe) == nil || peek(probe) == "\n" {
                advance(probe + 1)
                lines.append(nil)
                continue
            }
            if spaces < contentIndent || (contentIndent == 0 && atDocumentMarker) {
                state = lineStart
                break
            }
            var content = ""
            while let scalar = peek(), scalar != "\n" {
                content.unicodeScalars.append(scalar)
                advance()
            }
            lastHadBreak = peek() == "\n"
            advance()
            lines.append(content)
        }
        let text = Self.blockText(lines, literal: literal, chomp: chomp, lastHadBreak: lastHadBreak)
        return YAMLNode(.scalar(text, plain: false), mark: start)
    }

    /// The content indentation of a block scalar: that of its first non-empty line.
    private func detectIndent(above parentIndent: Int) -> Int {
        var offset = 0
        while true {
            var spaces = 0
            while peek(offset) == " " {
                offset += 1
                spaces += 1
            }
            guard let scalar = peek(offset) else { return parentIndent + 1 }
            if scalar == "\n" {
                offset += 1
                continue
            }
            return max(spaces, parentIndent + 1)
        }
    }

    /// Joins a block scalar's lines: literal keeps every break; folded turns single breaks between
    /// normal lines into spaces. Chomping: `-` strips the final break, `+` keeps trailing empty lines.
    static func blockText(_ lines: [String?], literal: Bool, chomp: Unicode.Scalar, lastHadBreak: Bool) -> String {
        guard let lastContent = lines.lastIndex(where: { $0 != nil }) else {
            return chomp == "+" ? String(repeating: "\n", count: lines.count) : ""
        }
        var text = ""
        var pendingBreaks = 0
        var hadContent = false
        var previousMoreIndented = false
        for line in lines[...lastContent] {
            guard let line else {
                pendingBreaks += 1
                continue
            }
            let moreIndented = line.first == " " || line.first == "\t"
            if !hadContent {
                text += String(repeating: "\n", count: pendingBreaks)
            } else if literal || moreIndented || previousMoreIndented {
                text += String(repeating: "\n", count: pendingBreaks + 1)
            } else {
                text += pendingBreaks == 0 ? " " : String(repeating: "\n", count: pendingBreaks)
            }
            text += line
            hadContent = true
            previousMoreIndented = moreIndented
            pendingBreaks = 0
        }
        let trailing = lines.count - lastContent - 1
        switch chomp {
        case "-": return text
        case "+": return text + (lastHadBreak ? "\n" : "") + String(repeating: "\n", count: trailing)
        default: return text + (lastHadBreak ? "\n" : "")
        }
    }
}
