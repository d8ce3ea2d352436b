import Testing
import VigilCore
import VigilTestSupport

/// The escaping layer of every output format: hand-worked cases, then the hostile corpus and random
/// strings against invariants and naive decoders (what the format's reader would make of the output).
@Suite("Escaping")
struct EscapingTests {
    // MARK: Hand-worked cases

    @Test("HTML: a quote with a combining mark is still a quote; controls become U+FFFD")
    func html() {
        // `"` U+0301 is one Character; its first scalar must still become &quot;.
        #expect(Escaping.html("a\"\u{301}b") == "a&quot;\u{301}b")
        #expect(Escaping.html("<svg onload='x'>&") == "&lt;svg onload=&#39;x&#39;&gt;&amp;")
        // ESC (C0), NUL, DEL and U+009B (C1) are not allowed in HTML or XML; tab, LF and CR are.
        #expect(Escaping.html("\u{1B}[31m\u{00}\u{7F}\u{9B}\t\r\n") == "\u{FFFD}[31m\u{FFFD}\u{FFFD}\u{FFFD}\t\r\n")
        #expect(Escaping.html("plain café") == "plain café")
    }

    @Test("terminal: controls, separators and bidi characters are shown as escapes")
    func terminal() {
        // "\r\n" is one Character: both of its scalars are shown.
        #expect(Escaping.terminal("a\r\nb") == "a\\r\\nb")
        #expect(Escaping.terminal("\u{1B}[2J\u{07}") == "\\x1b[2J\\x07")
        #expect(Escaping.terminal("x\u{9B}y\u{7F}\u{00}") == "x\\u{9B}y\\x7f\\x00")
        #expect(Escaping.terminal("pdf\u{202E}exe\u{2028}") == "pdf\\u{202E}exe\\u{2028}")
        #expect(Escaping.terminal("ünïcode ✓ \u{301}") == "ünïcode ✓ \u{301}")
    }

    @Test("Prometheus: exactly the three escapes of the exposition format")
    func prometheus() {
        #expect(Escaping.prometheusLabelValue("a\\b\"c\r\nd") == "a\\\\b\\\"c\r\\nd")
        #expect(Escaping.prometheusLabelValue("\"\u{301}") == "\\\"\u{301}")
        #expect(Escaping.prometheusHelp("a\\b\"c\nd") == "a\\\\b\"c\\nd")
    }

    @Test("CSV: formula starts get a leading quote; separators, quotes and line breaks are quoted")
    func csv() {
        #expect(Escaping.csvText("api") == "api")
        #expect(Escaping.csvText("=1+1") == "'=1+1")
        #expect(Escaping.csvText("-2+3") == "'-2+3")
        #expect(Escaping.csvText("@SUM(A1)") == "'@SUM(A1)")
        #expect(Escaping.csvText("\tx") == "'\tx")
        #expect(Escaping.csvText("\rx") == "\"'\rx\"")
        #expect(Escaping.csvText("a\r\nb") == "\"a\r\nb\"")
        #expect(Escaping.csvText("say \"hi\", then") == "\"say \"\"hi\"\", then\"")
        #expect(Escaping.csvText("=HYPERLINK(\"u\")") == "\"'=HYPERLINK(\"\"u\"\")\"")
        #expect(Escaping.csvNumber(-120.5) == "-120.5")
    }

    @Test("Markdown: pipes, inline syntax and HTML are escaped; line breaks cannot end the row")
    func markdown() {
        #expect(Escaping.markdownCell("a|b") == "a\\|b")
        #expect(Escaping.markdownCell("<script>") == "&lt;script&gt;")
        #expect(Escaping.markdownCell("row\r\nFORGED") == "row\\\\r\\\\nFORGED")
        #expect(Escaping.markdownCell("[x](y) *e* _u_ `c` \\") == "\\[x\\]\\(y\\) \\*e\\* \\_u\\_ \\`c\\` \\\\")
        #expect(Escaping.markdownCell("99.95% 3m12s") == "99.95% 3m12s")
    }

    @Test("chat: &, < and > as the incoming-webhook format asks; no mention reaches anyone")
    func chat() {
        #expect(Escaping.chat("<!channel> a&b") == "&lt;!channel&gt; a&amp;b")
        #expect(Escaping.chat("@here hi") == "@\u{2060}here hi")
        #expect(Escaping.chat("<https://e|t>") == "&lt;https://e|t&gt;")
        #expect(Escaping.chat("one\ntwo") == "one\\ntwo")
    }

    // MARK: The corpus and random strings

    /// Strings of random scalars drawn mostly from the characters escapers care about.
    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(seed: seed)
        let interesting: [Unicode.Scalar] = [
            "\"", "'", "<", ">", "&", "\\", "|", "\n", "\r", "\t", "\u{0B}", "\u{0C}", "\u{1B}", "\u{07}", "\u{00}", "\u{7F}",
            "\u{85}", "\u{9B}", "\u{301}", "\u{202E}", "\u{2066}", "\u{2028}", "=", "+", "-", "@", ",", "`", "*", "_", "[", "]",
            "(", ")", "#", "!", "~", "a", "Z", "0", " ", "é", "✓", "\u{1F600}", "\u{FFFD}",
        ]
        return (0..<count).map { _ in
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...24, using: &generator) {
                if Bool.random(using: &generator) {
                    text.append(interesting.randomElement(using: &generator)!)
                } else {
                    text.append(Unicode.Scalar(UInt32.random(in: 0x20...0x2FF, using: &generator)) ?? "x")
                }
            }
            return String(text)
        }
    }

    static var inputs: [String] { HostileText.corpus + randomStrings(count: 3_000, seed: 0x5EC0_7E57) }

    @Test("HTML output has no markup of its own and decodes back to the input, controls aside")
    func htmlInvariants() {
        for text in Self.inputs {
            let out = Escaping.html(text)
            #expect(!out.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) }, "\(text.debugDescription)")
            #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" })
            let expected = String(String.UnicodeScalarView(text.unicodeScalars.map {
                ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || (0x7F...0x9F).contains($0.value) ? "\u{FFFD}" : $0
            }))
            #expect(Self.decodeHTML(out) == expected, "\(text.debugDescription)")
        }
    }

    @Test("terminal output has no control, separator or bidi character, and as many lines as the table makes")
    func terminalInvariants() {
        for text in Self.inputs {
            let out = Escaping.terminal(text)
            #expect(!out.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(text.debugDescription)")
            #expect(!out.unicodeScalars.contains { [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
        }
    }

    @Test("Prometheus label values decode back to the input with the format's own unescaping")
    func prometheusRoundTrip() {
        for text in Self.inputs {
            let out = Escaping.prometheusLabelValue(text)
            #expect(!out.unicodeScalars.contains("\n"))
            #expect(Self.decodePrometheus(out) == text, "\(text.debugDescription)")
        }
    }

    @Test("CSV fields read back with an RFC 4180 reader, one field each, formula starts neutralised")
    func csvRoundTrip() {
        let formula: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
        for text in Self.inputs {
            let out = Escaping.csvText(text)
            let fields = Self.readCSVRecord(out + "," + out)
            #expect(fields.count == 2, "\(text.debugDescription)")
            let expected = (text.unicodeScalars.first.map { formula.contains($0) } ?? false) ? "'" + text : text
            #expect(fields.first == expected, "\(text.debugDescription)")
        }
    }

    @Test("Markdown cells hold no raw pipe, line break or HTML")
    func markdownInvariants() {
        for text in Self.inputs {
            let out = Escaping.markdownCell(text)
            #expect(!out.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "<" || $0 == ">" })
            // Every pipe is preceded by an odd number of backslashes (escaped), never even.
            var backslashes = 0
            for scalar in out.unicodeScalars {
                if scalar == "|" { #expect(backslashes % 2 == 1, "\(text.debugDescription)") }
                backslashes = scalar == "\\" ? backslashes + 1 : 0
            }
        }
    }

    @Test("chat text has no raw <, > or bare mention, and stays one line")
    func chatInvariants() {
        for text in Self.inputs {
            let out = Escaping.chat(text)
            #expect(!out.unicodeScalars.contains { $0 == "<" || $0 == ">" || $0.value < 0x20 })
            let scalars = Array(out.unicodeScalars)
            for index in scalars.indices where scalars[index] == "@" {
                #expect(index + 1 < scalars.count && scalars[index + 1] == "\u{2060}")
            }
        }
    }

    // MARK: Naive decoders

    /// Decodes the five references `Escaping.html` writes, scalar by scalar (a `;` followed by a
    /// combining mark is one Character, so a Character-based replacement would miss it).
    static func decodeHTML(_ text: String) -> String {
        let entities: [String: Unicode.Scalar] = ["lt": "<", "gt": ">", "quot": "\"", "#39": "'", "amp": "&"]
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "&", let end = scalars.prefix(5).firstIndex(of: ";"),
                let decoded = entities[String(String.UnicodeScalarView(scalars[scalars.startIndex..<end]))]
            else {
                out.append(scalar)
                continue
            }
            out.append(decoded)
            scalars = scalars[(end + 1)...]
        }
        return String(out)
    }

    static func decodePrometheus(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                out.append(scalar == "n" ? "\n" : scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// One RFC 4180 record (no trailing line break), split into fields.
    static func readCSVRecord(_ text: String) -> [String] {
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        var atStart = true
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        field.append("\"")
                        scalars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(scalar)
                }
            } else if scalar == "\"" && atStart {
                quoted = true
            } else if scalar == "," {
                fields.append(String(field))
                field = String.UnicodeScalarView()
                atStart = true
                continue
            } else {
                field.append(scalar)
            }
            atStart = false
        }
        fields.append(String(field))
        return fields
    }
}
