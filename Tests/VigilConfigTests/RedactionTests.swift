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

    @Test("hook URLs keep scheme, host, port and the first path segment: chat services put the secret in the path")
    func hookURLs() {
        #expect(Redaction.hookURL("https://hooks.slack.com/services/T000/B000/XXXXSECRET") == "https://hooks.slack.com/services/***")
        #expect(Redaction.hookURL("https://discord.com/api/webhooks/123/TOKEN") == "https://discord.com/api/***")
        #expect(Redaction.hookURL("https://chat.example.org/hooks/abcdef") == "https://chat.example.org/hooks/***")
        #expect(Redaction.hookURL("http://user:pw@127.0.0.1:9000/hook?token=x") == "http://127.0.0.1:9000/hook?***")
        #expect(Redaction.hookURL("http://127.0.0.1:9000/") == "http://127.0.0.1:9000")
        #expect(Redaction.hookURL("http://[::1]:9000/a/b") == "http://[::1]:9000/a/***")
        #expect(Redaction.hookURL("not a url") == Redaction.mask)
    }
}
