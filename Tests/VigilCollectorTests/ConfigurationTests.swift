import Foundation
import Testing
import VigilConfig
@testable import VigilCollector

@Suite("Collector configuration")
struct ConfigurationTests {
    @Test("the example in deploy/ is valid and spells out the defaults")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/collector.yaml").path
        #expect(try CollectorConfiguration.load(path: path) == CollectorConfiguration())
    }

    @Test("bad values are located")
    func errors() throws {
        let root = try ConfigDocument.parse("listen: nowhere\n", file: "c.yaml")
        let error = #expect(throws: ConfigError.self) { try CollectorConfiguration.parse(root) }
        #expect(error?.description == "c.yaml:1:9: listen: expected HOST:PORT, e.g. 127.0.0.1:7400")
    }
}
