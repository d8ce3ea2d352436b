import Testing
@testable import VigilCLI

@Suite("Unknown commands")
struct UnknownCommandTests {
    let names = UnknownCommand.names(of: Vigil.self)

    @Test("every command and help may come first")
    func known() {
        for name in ["status", "uptime", "report", "outages", "tickets", "alerts", "agents", "tokens", "quickstart", "slo", "help"] {
            #expect(names.contains(name), "\(name)")
            #expect(UnknownCommand.refusal([name, "--help"], names: names) == nil)
        }
        #expect(UnknownCommand.refusal(["--help"], names: names) == nil)
        #expect(UnknownCommand.refusal(["--version"], names: names) == nil)
        #expect(UnknownCommand.refusal([], names: names) == nil)
    }

    @Test("an unknown first word is bad input (exit 64) naming the closest command, whatever flags follow", arguments: [
        (["statsu", "--help"], "status"), (["stauts"], "status"), (["report2", "--format", "json"], "report"),
        (["outage", "--open"], "outages"), (["Agents"], "agents"), (["tiket", "import", "x.csv"], "tickets"),
    ])
    func unknown(arguments: [String], closest: String) throws {
        let refusal = try #require(UnknownCommand.refusal(arguments, names: names))
        #expect(refusal.exitStatus == 64)
        #expect(refusal.message == "unknown command '\(arguments[0])'. Did you mean '\(closest)'? See 'vigil --help' for the commands.")
    }

    @Test("edit distance counts inserts, deletes, substitutions and one swap of neighbours, worked by hand")
    func distances() {
        #expect(UnknownCommand.distance("status", "status") == 0)
        #expect(UnknownCommand.distance("statsu", "status") == 1)   // su ↔ us
        #expect(UnknownCommand.distance("stat", "status") == 2)     // + u, + s
        #expect(UnknownCommand.distance("kitten", "sitting") == 3)  // k→s, e→i, + g
        #expect(UnknownCommand.distance("", "agents") == 6)
    }

    @Test("a hostile word is shown with its controls escaped")
    func hostile() throws {
        let refusal = try #require(UnknownCommand.refusal(["sta\u{1B}[2Jtus"], names: names))
        #expect(!refusal.message.unicodeScalars.contains("\u{1B}"))
    }
}
