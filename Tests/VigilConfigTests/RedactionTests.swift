import Testing
import VigilConfig

@Suite("Redaction")
struct RedactionTests {
    @Test("passwords and secret-looking query values are masked; the rest of the URL stays readable")
    func urls() {
        #expect(Redaction.url("https://probe:hunter2@example.org/health?api_key=abc&page=2")
            == "https://probe:***@example.org/health?api_key=***&page=2")
        #expect(Redaction.url("https://hooks.example.org/x?token=abc&sig=def&Access_Token=ghi")
            == "https://hooks.example.org/x?token=***&sig=***&Access_Token=***")
        #expect(Redaction.url("http://127.0.0.1:8080/health") == "http://127.0.0.1:8080/health")
        #expect(Redaction.url("postgres://vigil:pw@db:5432/vigil?sslmode=require") == "postgres://vigil:***@db:5432/vigil?sslmode=require")
        #expect(Redaction.url("not a url") == "not a url")
        #expect(Redaction.url("https://user@example.org/") == "https://user@example.org/")
    }
}
