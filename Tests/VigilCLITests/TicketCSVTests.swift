import Testing
@testable import VigilCLI

@Suite("Ticket CSV import")
struct TicketCSVTests {
    @Test("good rows are kept, bad rows reported with their line numbers")
    func rows() throws {
        let text = """
            external_id,title,priority,tags,created_at,status,satisfaction
            A-1,Login fails,high,api;login,2026-11-02T09:00:00Z,open,
            A-2,Bad priority,critical,api,2026-11-02T09:00:00Z,,
            A-3,"Quoted, with comma",low,web,2026-11-02T10:00:00Z,solved,good
            A-4,No time,normal,api,yesterday,,
            A-5,Too few fields
            """
        let (rows, bad) = try TicketCSV.read(Array(text.utf8))
        #expect(rows.map(\.input.externalID) == ["A-1", "A-3"])
        #expect(rows.map(\.line) == [2, 4])
        #expect(rows[0].input.tags == ["api", "login"])
        #expect(rows[1].input.title == "Quoted, with comma" && rows[1].input.satisfaction == "good")
        #expect(bad.map(\.line) == [3, 5, 6])
        #expect(bad[0].reason.contains("priority"))
        #expect(bad[2].reason == "2 fields, the header has 7")
    }

    @Test("an unusable header stops the import before anything is sent")
    func header() {
        #expect(throws: CLIError.self) { try TicketCSV.read(Array("external_id,created,colour\n".utf8)) }
        #expect(throws: CLIError.self) { try TicketCSV.read(Array("title,priority\n".utf8)) }
        #expect(throws: CLIError.self) { try TicketCSV.read([]) }
    }
}
