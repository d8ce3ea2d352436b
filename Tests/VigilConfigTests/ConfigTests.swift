import Testing
@testable import VigilConfig

@Suite("YAML configuration")
struct ConfigTests {
    @Test("values are read with their types")
    func typedValues() throws {
        let root = try ConfigDocument.parse("name: a\ncount: 3\nflag: true\nwait: 1m30s\nlist: [1, 2]\n", file: "x.yaml")
        let object = try root.object(allowedKeys: ["name", "count", "flag", "wait", "list"])
        #expect(try object.required("name").string() == "a")
        #expect(try object.required("count").int() == 3)
        #expect(try object.required("flag").bool() == true)
        #expect(try object.required("wait").durationMs() == 90_000)
        #expect(try object.required("list").array().count == 2)
        #expect(object.optional("missing") == nil)
    }

    @Test("errors carry file, line, column and key path")
    func locatedErrors() throws {
        let text = "checks:\n  - name: a\n    interval: soon\n"
        let root = try ConfigDocument.parse(text, file: "agent.yaml")
        let check = try root.object(allowedKeys: ["checks"]).required("checks").array()[0]
        let error = #expect(throws: ConfigError.self) {
            try check.object(allowedKeys: ["name", "interval"]).required("interval").durationMs()
        }
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("agent.yaml:3:15: checks[0].interval: invalid duration") == true, "\(error!)")
    }

    @Test("unknown keys are refused with the list of known ones")
    func unknownKey() throws {
        let root = try ConfigDocument.parse("collector: x\nintervall: 5s\n", file: "a.yaml")
        let error = #expect(throws: ConfigError.self) { try root.object(allowedKeys: ["collector", "interval"]) }
        #expect(error?.code == .unknownKey)
        #expect(error?.line == 2)
        #expect(error?.message.contains("intervall") == true)
    }

    @Test("YAML syntax errors have a line")
    func syntaxError() {
        let error = #expect(throws: ConfigError.self) { try ConfigDocument.parse("a: [1, 2\nb: 3\n", file: "bad.yaml") }
        #expect(error?.code == .syntax)
        #expect(error?.line != nil)
    }

    @Test("missing required keys are named")
    func missingKey() throws {
        let root = try ConfigDocument.parse("a: 1\n", file: "m.yaml")
        let error = #expect(throws: ConfigError.self) { try root.object(allowedKeys: ["a", "b"]).required("b") }
        #expect(error?.code == .missingKey)
        #expect(error?.message == "b: required key is missing")
    }
}
