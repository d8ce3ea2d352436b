/// The one escaping layer for each output format Vigil writes. Agents choose service, check and location
/// names, and probed servers choose the messages stored with heartbeats, so every text that reaches an
/// output passes through exactly one of these functions.
///
/// Each works on Unicode scalars, never on `Character`s: a `Character` is a grapheme cluster, so `"`
/// followed by a combining mark is one `Character` that is not equal to `"`, and `"\r\n"` is one
/// `Character` equal to neither `"\r"` nor `"\n"`. An escaper that matches `Character`s lets both through.
public enum Escaping {
    /// `text` with each scalar `replacement` gives a text for replaced by it; the rest kept. The one loop
    /// every escaper below runs.
    static func replacing(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) {
                out.append(contentsOf: replaced.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The character references for the five scalars HTML and XML give meaning to.
    static func reference(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&#39;"
        default: nil
        }
    }

    // MARK: HTML

    /// Text for HTML element content and for quoted attribute values (`"` and `'` both): `&`, `<`, `>`,
    /// `"` and `'` become character references; NUL and the other controls HTML and XML forbid (C0 but
    /// tab, line feed and carriage return; DEL; C1) become U+FFFD, so the text is also valid in SVG.
    public static func html(_ text: String) -> String {
        replacing(text) { scalar in
            if let reference = reference(scalar) { return reference }
            return isControl(scalar) && scalar != "\t" && scalar != "\n" && scalar != "\r" ? "\u{FFFD}" : nil
        }
    }

    // MARK: Terminal

    /// Text for a terminal: C0 and C1 controls and DEL, line and paragraph separators and the
    /// bidirectional formatting characters are shown as visible escapes (`\n`, `\r`, `\t`, `\x1b`,
    /// `\u{202E}`), so a name can neither move the cursor, ring the bell, recolour the screen, reorder
    /// what follows it nor start a new table row.
    public static func terminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsVisibleEscape) else { return text }
        return replacing(text) { needsVisibleEscape($0) ? visibleEscape($0) : nil }
    }

    // MARK: Prometheus

    /// A label value in the Prometheus text exposition format: backslash, double quote and line feed
    /// become `\\`, `\"` and `\n`, the only three escapes the format has (a carriage return is legal
    /// as it is, and any other escape is a parse error).
    public static func prometheusLabelValue(_ text: String) -> String {
        replacing(text) { $0 == "\"" ? "\\\"" : prometheusHelpEscape($0) }
    }

    /// The text of a `# HELP` line: backslash and line feed become `\\` and `\n`.
    public static func prometheusHelp(_ text: String) -> String {
        replacing(text, prometheusHelpEscape)
    }

    private static func prometheusHelpEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\\": "\\\\"
        case "\n": "\\n"
        default: nil
        }
    }

    // MARK: CSV

    /// A text field of an RFC 4180 record. A field that a spreadsheet would read as a formula (its first
    /// scalar is `=`, `+`, `-`, `@`, tab or carriage return: OWASP's CSV injection list) gets a leading
    /// `'`; a field holding a comma, a double quote, a carriage return or a line feed is quoted, with
    /// quotes doubled. Numbers Vigil writes itself go out as they are, through ``csvNumber(_:)``.
    public static func csvText(_ text: String) -> String {
        var field = text
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { field = "'" + text }
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        return "\"" + replacing(field) { $0 == "\"" ? "\"\"" : nil } + "\""
    }

    /// A number field of a CSV record, written by Vigil (never agent-chosen text): as it is, so that
    /// a negative figure stays a number.
    public static func csvNumber(_ value: some Numeric & CustomStringConvertible) -> String { value.description }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    // MARK: Markdown

    /// Text for a cell of a Markdown (GitHub, CommonMark) table: controls become visible escapes as
    /// on a terminal (so a line feed cannot end the row), `|` and the inline-syntax punctuation are
    /// backslash-escaped, and `&`, `<` and `>` become character references so that no HTML passes.
    public static func markdownCell(_ text: String) -> String {
        replacing(text) { scalar in
            switch scalar {
            case "&", "<", ">": reference(scalar)
            case "\\", "|", "`", "*", "_", "[", "]", "(", ")", "#", "!", "~": "\\" + String(scalar)
            // The escape's own backslash is escaped so that it renders as written.
            default: needsVisibleEscape(scalar) ? "\\" + visibleEscape(scalar) : nil
            }
        }
    }

    // MARK: Chat

    /// Text for a chat message (Slack incoming webhooks and the services that read their format:
    /// Mattermost, Rocket.Chat; Discord). `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, as the
    /// incoming-webhook format requires, so `<!channel>` and `<https://…|text>` are shown, not
    /// acted on; a word joiner after each `@` keeps `@here`, `@channel`, `@everyone` and user names
    /// from mentioning anyone; controls become visible escapes, so the message stays one line.
    public static func chat(_ text: String) -> String {
        replacing(text) { scalar in
            switch scalar {
            case "&", "<", ">": reference(scalar)
            case "@": "@\u{2060}"
            default: needsVisibleEscape(scalar) ? visibleEscape(scalar) : nil
            }
        }
    }

    // MARK: Shared

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Controls, the line and paragraph separators, and the bidirectional formatting characters
    /// (marks, embeddings, overrides and isolates).
    static func needsVisibleEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func visibleEscape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16)
            if scalar.value < 0x80 { return "\\x" + (hex.count < 2 ? "0" : "") + hex }
            return "\\u{" + hex.uppercased() + "}"
        }
    }
}
