import Foundation
import Testing
import VigilCollector
import VigilConfig
import VigilCore
import VigilTestSupport
import VigilWire
@testable import VigilCLI

@Suite("OpenSLO export and import")
struct OpenSLOTests {
    static let config = """
        calendars:
          business:
            time_zone: Europe/Berlin
            hours: [{days: mon-fri, from: "09:00", to: "17:00"}]
        services:
          api: {sla: {target: 99.9, window: month, time_zone: Europe/Berlin}}
          shop: {sla: {target: 99.5, window: 30d, method: occurrences, unknown: down}}
          desk: {sla: {target: 98.75, window: quarter, calendar: business, method: timeslices, timeslice: 5m, timeslice_bad_above: 10}}
          plain: {quorum: any}
        """

    @Test("each service with a target exports as an OpenSLO v1 SLO and imports back to the same SLA")
    func roundTrip() async throws {
        let original = try CollectorConfiguration.parse(ConfigDocument.parse(Self.config, file: "collector.yaml"))
        let harness = try await TestCollector { $0.catalog = original.catalog }
        defer { harness.directory.remove() }
        try await withServices([harness.collector]) {
            let port = await harness.ports.port()
            let client = CollectorClient(baseURL: "http://127.0.0.1:\(port)", token: harness.collector.adminToken)
            let slos = try await client.get("/v1/slos", as: [SLODefinitionInfo].self)
            #expect(slos.map(\.service) == ["api", "desk", "shop"], "services without a target are left out")
            let exported = OpenSLO.export(slos)
            let documents = try ConfigDocument.parseAll(exported, file: "slos.yaml")
            #expect(documents.count == 3)
            for document in documents {
                let root = try document.object(allowedKeys: nil)
                #expect(try root.required("apiVersion").string() == "openslo/v1")
                #expect(try root.required("kind").string() == "SLO")
                let name = try root.required("metadata").object(allowedKeys: nil).required("name").string()
                #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
            }
            let imported = try OpenSLO.importConfig(exported, file: "slos.yaml")
            // The calendars are the operator's own config: keep them, take the services from the import.
            let calendars = String(Self.config[..<Self.config.range(of: "services:")!.lowerBound])
            let back = try CollectorConfiguration.parse(ConfigDocument.parse(calendars + imported, file: "imported.yaml"))
            for service in ["api", "shop", "desk"] {
                let before = original.catalog.policy(for: service), after = back.catalog.policy(for: service)
                #expect(after.target == before.target, "\(service) target")
                #expect(after.period == before.period, "\(service) window")
                #expect(after.zone.identifier == before.zone.identifier, "\(service) time zone")
                #expect(after.method == before.method, "\(service) method")
                #expect(after.unknownPolicy == before.unknownPolicy, "\(service) unknown")
                #expect(after.calendar.name == before.calendar.name, "\(service) calendar")
            }
        }
    }

    @Test("import refuses what this subset cannot express, with the line")
    func mistakes() throws {
        let wrongVersion = "apiVersion: openslo/v2\nkind: SLO\nmetadata: {name: x}\nspec: {service: x}\n"
        #expect(throws: ConfigError.self) { try OpenSLO.importConfig(wrongVersion, file: "x.yaml") }
        let twoObjectives = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: x}
            spec:
              service: x
              budgetingMethod: Occurrences
              timeWindow: [{duration: 1M, isRolling: false}]
              objectives: [{target: 0.99}, {target: 0.9}]
            """
        do {
            _ = try OpenSLO.importConfig(twoObjectives, file: "x.yaml")
            Issue.record("two objectives must be refused")
        } catch {
            #expect(error.description.hasPrefix("x.yaml:8"), "\(error.description)")
        }
        #expect(throws: ConfigError.self) { try OpenSLO.importConfig("kind: Service\n", file: "x.yaml") }
    }
}
