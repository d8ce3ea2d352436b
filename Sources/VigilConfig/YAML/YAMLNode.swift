/// Where a node or a mistake starts in the text: 1-based line and column (in characters).
struct YAMLMark: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// One node of a YAML document: a scalar, a sequence or a mapping, with where it starts.
///
/// Only what configuration needs is kept: no tags beyond their effect on scalars, no comments, no
/// styles beyond "plain or not" (only plain scalars can mean a number, a boolean or null).
struct YAMLNode: Sendable {
    enum Content: Sendable {
        /// Text, and whether it was written plain (unquoted, untagged, not a block scalar).
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    var content: Content
    var mark: YAMLMark
    /// Nodes in this subtree, itself included: bounds what aliases may expand to.
    var size: Int

    init(_ content: Content, mark: YAMLMark) {
        self.content = content
        self.mark = mark
        switch content {
        case .scalar: size = 1
        case .sequence(let items): size = items.reduce(1) { $0 + $1.size }
        case .mapping(let pairs): size = pairs.reduce(1) { $0 + $1.key.size + $1.value.size }
        }
    }

    /// An empty plain scalar: what `key:` with nothing after it holds.
    static func empty(at mark: YAMLMark) -> YAMLNode { YAMLNode(.scalar("", plain: true), mark: mark) }
}

/// How plain scalars resolve, as the YAML core schema has it (plus YAML 1.1's `yes`/`no`/`on`/`off`,
/// which configuration files written for other tools use).
extension YAMLNode {
    /// The scalar's text; `nil` for collections.
    var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    private var plainText: String? {
        if case .scalar(let text, plain: true) = content { return text }
        return nil
    }

    /// Whether the node is null: a plain `~`, `null` (any case) or nothing at all.
    var isNull: Bool {
        guard let text = plainText else { return false }
        return text.isEmpty || text == "~" || text.lowercased() == "null"
    }

    /// A plain boolean.
    var bool: Bool? {
        switch plainText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A plain integer: decimal, `0x`, `0o` or `0b`, with optional sign and `_` separators.
    var int: Int? {
        guard var text = plainText?.filter({ $0 != "_" }), !text.isEmpty else { return nil }
        var negative = false
        if text.hasPrefix("-") || text.hasPrefix("+") {
            negative = text.hasPrefix("-")
            text.removeFirst()
        }
        let radix: Int
        switch text.prefix(2) {
        case "0x": radix = 16
        case "0o": radix = 8
        case "0b": radix = 2
        default: radix = 10
        }
        let digits = radix == 10 ? Substring(text) : text.dropFirst(2)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }) else { return nil }
        return Int((negative ? "-" : "") + digits, radix: radix)
    }

    /// A plain number, integers included; `.inf`, `-.inf` and `.nan` too.
    var double: Double? {
        if let int { return Double(int) }
        guard let text = plainText?.filter({ $0 != "_" }).lowercased(), !text.isEmpty else { return nil }
        switch text {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            guard text.allSatisfy({ $0.isNumber || "+-.e".contains($0) }) else { return nil }
            return Double(text)
        }
    }
}
