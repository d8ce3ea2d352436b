import Testing
import VigilConfig

@Suite("CSV")
struct CSVReaderTests {
    func read(_ text: String) throws -> [CSVReader.Record] { try CSVReader.records(Array(text.utf8)) }

    @Test("quotes, doubled quotes, commas and newlines inside fields, CRLF, BOM, blank lines")
    func fields() throws {
        let records = try CSVReader.records([0xEF, 0xBB, 0xBF] + Array("a,b,c\r\n1,\"x, \"\"y\"\"\",3\n\n2,\"multi\nline\",\n".utf8))
        #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "x, \"y\"", "3"], ["2", "multi\nline", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(try read("last,row").map(\.fields) == [["last", "row"]])
    }

    @Test("broken quoting is refused with its line", arguments: [
        ("a,b\n\"open,2\n", "line 2: a quoted field is not closed"),
        ("a,b\nx\"y,2\n", "line 2: a quote inside an unquoted field (quote the whole field and double inner quotes)"),
        ("a,b\n\"x\"y,2\n", "line 2: text after a closing quote"),
    ])
    func errors(text: String, message: String) {
        let error = #expect(throws: CSVReader.ParseError.self) { try read(text) }
        #expect(error?.description == message)
    }
}
