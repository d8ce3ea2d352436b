import Testing
import VigilCore
import VigilTestSupport

@Suite("Service scopes")
struct ServiceScopeTests {
    @Test("names and globs, worked by hand")
    func cases() throws {
        let scope = try ServiceScope(parsing: " api , web-* ,db-?")
        #expect(scope.patterns == ["api", "web-*", "db-?"])
        #expect(scope.allows("api"))
        #expect(!scope.allows("api2"))
        #expect(scope.allows("web-"))
        #expect(scope.allows("web-eu-1"))
        #expect(!scope.allows("xweb-eu"))
        #expect(scope.allows("db-1"))
        #expect(!scope.allows("db-12"))
        // `?` is one scalar: "é" as e + U+0301 is two.
        #expect(!scope.allows("db-e\u{301}"))
        #expect(scope.allows("db-é"))
        #expect(try ServiceScope(["*"]).allows(""))
        #expect(try ServiceScope(["a*b*c"]).allows("aXbYbZc"))
        #expect(!(try ServiceScope(["a*b*c"]).allows("aXbYcZ")))
    }

    @Test("bad scopes are refused with the reason")
    func refused() {
        #expect(throws: ServiceScopeError("an empty service pattern (two commas in a row?)")) { try ServiceScope(parsing: "api,,web") }
        #expect(throws: ServiceScopeError("a scope needs at least one service or pattern")) { try ServiceScope([]) }
        #expect(throws: ServiceScopeError("a service pattern holds a control character")) { try ServiceScope(["a\nb"]) }
    }

    /// The naive oracle: try every split for `*`.
    static func naive(_ pattern: [Unicode.Scalar], _ name: [Unicode.Scalar]) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        if first == "*" {
            return (0...name.count).contains { naive(Array(pattern.dropFirst()), Array(name.dropFirst($0))) }
        }
        guard let head = name.first, first == "?" || first == head else { return false }
        return naive(Array(pattern.dropFirst()), Array(name.dropFirst()))
    }

    @Test("random patterns and names agree with a naive matcher")
    func property() throws {
        var generator = SeededGenerator(seed: 1919)
        let alphabet: [Unicode.Scalar] = ["a", "b", "-", "é", "\u{301}"]
        for _ in 0..<5_000 {
            let pattern = (0..<Int.random(in: 1...6, using: &generator)).map { _ -> Unicode.Scalar in
                Int.random(in: 0..<4, using: &generator) == 0 ? (Bool.random(using: &generator) ? "*" : "?") : alphabet.randomElement(using: &generator)!
            }
            let name = (0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let scope = try ServiceScope([String(String.UnicodeScalarView(pattern))])
            #expect(scope.allows(String(String.UnicodeScalarView(name))) == Self.naive(pattern, name),
                    "\(String(String.UnicodeScalarView(pattern))) vs \(String(String.UnicodeScalarView(name)))")
        }
    }
}
