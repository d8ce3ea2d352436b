/// Path arithmetic on plain strings, the way `NSString`'s path methods do it, without Foundation.
///
/// The agent links FoundationEssentials only (its resident memory is an issue-3 goal), and
/// `NSString` lives in the full Foundation.
public enum FilePaths {
    /// `name` inside `directory`: `join("/var/lib/vigil", "spool")` is `/var/lib/vigil/spool`. An empty
    /// directory gives `name` itself; an absolute `name` is still appended, as `NSString` does.
    public static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        var base = Substring(directory)
        while base.count > 1, base.hasSuffix("/") { base = base.dropLast() }
        var tail = Substring(name)
        while tail.hasPrefix("/") { tail = tail.dropFirst() }
        if tail.isEmpty { return String(base) }
        return base == "/" ? "/" + tail : base + "/" + tail
    }

    /// `path` resolved against `directory` unless it is already absolute.
    public static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") ? path : join(directory, path)
    }

    /// The directory part of `path`: `/etc/vigil/agent.yaml` gives `/etc/vigil`, `/agent.yaml` gives `/`,
    /// `agent.yaml` gives the empty string.
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        var head = trimmed[..<slash]
        while head.count > 1, head.hasSuffix("/") { head = head.dropLast() }
        return String(head)
    }
}
