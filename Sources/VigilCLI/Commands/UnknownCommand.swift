import ArgumentParser
import VigilCore

/// Finds an unknown subcommand before ArgumentParser sees the arguments.
///
/// ArgumentParser lets `--help` win over a word it cannot place, so `vigil statsu --help` printed the
/// root help and exited 0, and `vigil statsu` said only that an argument was unexpected. The first word
/// that is not an option must name a command; otherwise the CLI stops with exit 64 and the closest name.
enum UnknownCommand {
    /// The names a first word may take: every subcommand's name and aliases, and `help`.
    static func names(of command: any ParsableCommand.Type) -> [String] {
        command.configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases } + ["help"]
    }

    /// The refusal for `arguments` (without the program name), or `nil` when the first word names a
    /// command or is an option (`--help`, `--version` and the like are ArgumentParser's to answer).
    static func refusal(_ arguments: [String], names: [String]) -> CLIError? {
        guard let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) else { return nil }
        let shown = Escaping.terminal(first)
        guard let closest = closest(to: first, in: names) else {
            return CLIError(.usage, "unknown command '\(shown)'; see 'vigil --help'")
        }
        return CLIError(.usage, "unknown command '\(shown)'. Did you mean '\(closest)'? See 'vigil --help' for the commands.")
    }

    /// The name nearest to `word` by edit distance on Unicode scalars (ties: the first in `names`).
    static func closest(to word: String, in names: [String]) -> String? {
        names.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance, with a swap of two neighbours counting as one edit (`statsu` → `status`).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { rows[i][0] = i }
        for j in 0...y.count { rows[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, rows[i - 2][j - 2] + 1) }
                rows[i][j] = best
            }
        }
        return rows[x.count][y.count]
    }
}
