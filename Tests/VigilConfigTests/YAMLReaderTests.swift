import Testing
import Yams
@testable import VigilConfig

/// The YAML reader against Yams (libyaml), the reader it replaced: the same trees, styles and
/// positions for the documents Vigil's users write, and located errors for what it refuses.
@Suite("YAML reader")
struct YAMLReaderTests {
    /// A node reduced to what configuration reads: text with its plainness, lists, mappings, and where.
    indirect enum Tree: Equatable, CustomStringConvertible {
        case scalar(String, plain: Bool, line: Int, column: Int)
        case sequence([Tree], line: Int, column: Int)
        case mapping([(Tree, Tree)], line: Int, column: Int)

        static func == (lhs: Tree, rhs: Tree) -> Bool { lhs.description == rhs.description }

        var description: String {
            switch self {
            case .scalar(let text, let plain, let line, let column): return "\(plain ? "" : "!")\(text.debugDescription)@\(line):\(column)"
            case .sequence(let items, let line, let column): return "[\(items.map(\.description).joined(separator: ", "))]@\(line):\(column)"
            case .mapping(let pairs, let line, let column):
                return "{\(pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", "))}@\(line):\(column)"
            }
        }
    }

    static func tree(_ node: YAMLNode) -> Tree {
        switch node.content {
        case .scalar(let text, let plain): return .scalar(text, plain: plain, line: node.mark.line, column: node.mark.column)
        case .sequence(let items): return .sequence(items.map(tree), line: node.mark.line, column: node.mark.column)
        case .mapping(let pairs): return .mapping(pairs.map { (tree($0.key), tree($0.value)) }, line: node.mark.line, column: node.mark.column)
        }
    }

    static func tree(_ node: Yams.Node) -> Tree {
        let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
        switch node {
        case .scalar(let scalar):
            // Yams resolves every plain scalar's tag; an explicit `!!str` shows as a str tag on text that
            // would resolve to something else.
            let resolved = Resolver.default.resolveTag(of: .scalar(.init(scalar.string)))
            let plain = scalar.style == .plain && !(scalar.tag.description == "tag:yaml.org,2002:str" && resolved != .str)
            return .scalar(scalar.string, plain: plain, line: line, column: column)
        case .sequence(let sequence): return .sequence(sequence.map(tree), line: line, column: column)
        case .mapping(let mapping): return .mapping(mapping.map { (tree($0.key), tree($0.value)) }, line: line, column: column)
        case .alias: return .scalar("<alias>", plain: false, line: line, column: column)
        }
    }

    /// Documents as configuration files write them, and the corners of the syntax they may use.
    static let documents: [String] = [
        "collector: http://127.0.0.1:7400\ntoken_file: agent.token\n",
        "checks:\n  - name: a\n    url: http://x/\n    interval: 10s\n  - name: b\n    kind: tcp\n",
        "checks:\n- name: compact\n  expect_status: [200, 301]\n- name: two\nother: 1\n",
        "# comment\nkey: value # trailing\n\n\nnext:   spaced value  \n",
        "a:\n  b:\n    c: deep\n  d: [1, 2, {e: f, g: [h]}]\nz: end\n",
        "quoted: 'it''s'\ndouble: \"tab\\tnew\\nline \\u00e9 \\x41 \\\"q\\\"\"\nempty: ''\nnull1: ~\nnull2:\nnull3: null\n",
        "literal: |\n  line one\n    indented\n\n  line three\nfolded: >\n  folded one\n  folded two\n\n  para\nafter: x\n",
        "keep: |+\n  text\n\nstrip: |-\n  text\n\nclip: |\n  text\n\n\nlast: 1\n",
        "indicator: |2\n    two extra\n  base\nfold_more: >\n  a\n    more\n  b\n",
        "plain multi: first line\n  second line\n\n  third after blank\nnext: 1\n",
        "quoted multi: \"first\n  second\n\n  third\"\nsingle multi: 'a\n  b'\n",
        "base: &base\n  host: h\n  port: 1\ncopy: *base\nlist:\n  - &item x\n  - *item\n",
        "empty: &e\n- &f\n- *f\nkeyed:\n  &k key: v\nseq: &s\n- a\n",
        "comment right after: 'quoted'# c\nflow: [a]# c\ntabs in flow: [\n\ta,\n\tb]\n",
        "escaped: \"tab\\t\n  next\"\n",
        "ints: [1, -2, +3, 0x1F, 0o17, 1_000]\nfloats: [1.5, -0.5, 1e3, .inf, -.inf, .nan]\nbools: [true, False, yes, off]\n",
        "flow map: {a: 1, 'b': \"2\", c}\nflow nested: [[1, 2], [], {}]\nmulti line flow: [\n  one,\n  two, # comment\n  three\n]\n",
        "url: http://example.com:8080/path?q=1#frag\ncolon: a:b\ntime: 12:30\ndash: -x\nquestion: ?y\n",
        "key with spaces: value with:colon inside\n\"quoted key\": 1\n'single key': 2\n",
        "---\na: 1\n...\n",
        "%YAML 1.2\n---\ndoc: 1\n",
        "- plain\n  - continued\n- top\n- level\n- - nested\n  - seq\n- key: v\n  k2: v2\n",
        "tagged: !!str 123\nint tag: !!int 7\nnon specific: ! 42\n",
        "unicode: héllo wörld ✓\nemoji: \"😀\"\n",
        "windows: line\r\nends: here\r\n",
        "empty map: {}\nempty list: []\nempty string: \"\"\n",
        "value:    \n  # a comment where the value would be\n  nested: 1\n",
        "hash#inside: a#b\nspace before: a #comment\n",
        "---\n",
        "",
        "# only a comment\n",
        "scalar document\n",
        "'quoted document'\n",
        "a: 1\n---\nb: 2\n---\n- c\n",
        "list:\n  -   spaced item\n  -\n    nested: under dash\n  -\n",
        "headers:\n  Authorization: Bearer abc\n  X-Empty: \"\"\nbody: '{\"json\": true}'\n",
        "command: [\"/usr/lib/nagios/plugins/check_disk\", \"-w\", \"10%\"]\n",
    ]

    @Test("reads the same trees and positions as Yams", arguments: Self.documents.indices)
    func sameAsYams(index: Int) throws {
        let text = Self.documents[index]
        let ours = try YAMLReader.documents(text).map(Self.tree)
        let reference = try Yams.compose_all(yaml: text).map(Self.tree)
        #expect(ours == reference, "document \(index): \(text.debugDescription)")
    }

    @Test("reads every YAML file the project ships the same as Yams")
    func shippedFiles() throws {
        let root = URLPath.repositoryRoot
        for path in ["deploy/agent.yaml", "deploy/collector.yaml", "deploy/compose.yaml", "deploy/compose/collector.yaml",
                     "deploy/compose/agent-1.yaml", "deploy/kubernetes/collector.yaml", "deploy/kubernetes/agent.yaml"] {
            let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            let ours = try YAMLReader.documents(text).map(Self.tree)
            let reference = try Yams.compose_all(yaml: text).map(Self.tree)
            #expect(ours == reference, "\(path)")
        }
    }

    @Test("scalars resolve like the core schema", arguments: [
        ("1_000", 1000 as Int?), ("0x1f", 31), ("-0b101", -5), ("0o17", 15), ("+7", 7), ("1.5", nil), ("'3'", nil), ("x1", nil),
    ])
    func integers(text: String, expected: Int?) throws {
        let node = try #require(YAMLReader.documents("v: \(text)\n").first)
        guard case .mapping(let pairs) = node.content else { Issue.record("not a mapping"); return }
        #expect(pairs[0].value.int == expected)
    }

    @Test("refuses what it does not read, with the line and column", arguments: [
        ("a:\n\tb: 1\n", 2, 1, "tab characters"),
        ("a: 1\na: 2\n", 2, 1, "duplicate key \"a\""),
        ("a: \"open\nb: 1\n", 1, 4, "unterminated quoted text"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "bad indentation: expected a key at column 1"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed here"),
        ("a: - b\n", 1, 4, "a list cannot start on the same line"),
        ("list:\n  - a\n  b: 1\n", 3, 3, "bad indentation"),
        ("a: [1, 2\n", 1, 4, "unterminated flow collection"),
        ("a: *nowhere\n", 1, 4, "unknown alias \"nowhere\""),
        ("a: !custom x\n", 1, 4, "unsupported tag \"!custom\""),
        ("? complex\n: value\n", 1, 1, "complex mapping keys"),
        ("a: \"bad \\q escape\"\n", 1, 9, "unknown escape"),
        ("a: 1\njust text\n", 2, 1, "expected \":\" after the key \"just text\""),
        ("a: `x`\n", 1, 4, "reserved"),
    ])
    func refusals(text: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: YAMLSyntaxError.self) { try YAMLReader.documents(text) }
        #expect(error?.mark == YAMLMark(line: line, column: column), "\(error.map(String.init(describing:)) ?? "")")
        #expect(error?.message.contains(message) == true, "\(error.map(String.init(describing:)) ?? "")")
    }

    @Test("!!str makes a plain scalar text")
    func stringTag() throws {
        let node = try #require(YAMLReader.documents("v: !!str 42\n").first)
        guard case .mapping(let pairs) = node.content else { Issue.record("not a mapping"); return }
        #expect(pairs[0].value.int == nil)
        #expect(pairs[0].value.scalarText == "42")
    }

    @Test("aliases cannot expand a small file into a huge tree")
    func billionLaughs() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = #expect(throws: YAMLSyntaxError.self) { try YAMLReader.documents(text) }
        #expect(error?.message.contains("more than") == true)
    }

    /// A document whose `a` holds collections nested `depth` deep, in one of four shapes.
    static func nested(_ shape: String, depth: Int) -> String {
        switch shape {
        case "flow": "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        case "flow mappings": "a: " + String(repeating: "{b: ", count: depth) + "1" + String(repeating: "}", count: depth) + "\n"
        case "block sequences on one line": "a:\n" + String(repeating: "- ", count: depth) + "x\n"
        default: (0..<depth).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        }
    }

    @Test("collections nested too deep are refused with a message, not a stack overflow; 90 levels read",
          arguments: ["flow", "flow mappings", "block sequences on one line", "block mappings"])
    func nestingLimit(shape: String) throws {
        #expect(try YAMLReader.documents(Self.nested(shape, depth: 90)).count == 1, "\(shape)")
        for depth in shape == "block mappings" ? [102, 3_000] : [102, 5_000, 100_000] {
            let error = #expect(throws: YAMLSyntaxError.self, "\(shape)") { try YAMLReader.documents(Self.nested(shape, depth: depth)) }
            #expect(error?.message.contains("nested more than 100 levels") == true, "\(shape): \(error.map(String.init(describing:)) ?? "")")
        }
    }

    @Test("a config document reports a second document and treats an empty one as an empty mapping")
    func documentRules() throws {
        #expect(try ConfigDocument.parse("# nothing\n", file: "x.yaml").object(allowedKeys: nil).entries.isEmpty)
        #expect(try ConfigDocument.parse("---\n", file: "x.yaml").object(allowedKeys: nil).entries.isEmpty)
        let error = #expect(throws: ConfigError.self) { try ConfigDocument.parse("a: 1\n---\nb: 2\n", file: "x.yaml") }
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("x.yaml:3:1: invalid YAML: expected a single document") == true)
    }
}

/// Paths of the repository these tests run in.
enum URLPath {
    static var repositoryRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3) // Tests/VigilConfigTests/YAMLReaderTests.swift
        return parts.joined(separator: "/")
    }
}
