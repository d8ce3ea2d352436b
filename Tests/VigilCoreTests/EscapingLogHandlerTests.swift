import Logging
import Testing
import VigilTestSupport
@testable import VigilCore

/// The log's escaping layer: whatever names and messages carry, every message stays one line with no
/// control, separator or bidi character, and the text is still readable.
@Suite("Escaping log handler")
struct EscapingLogHandlerTests {
    static func logger(_ recorder: LogRecorder) -> Logger {
        var logger = Logger(label: "vigil.test") { label in EscapingLogHandler(wrapping: recorder.handler(label)) }
        logger.logLevel = .trace
        return logger
    }

    @Test("a newline in a name cannot forge a log line; an escape sequence cannot reach the terminal")
    func handWorked() {
        let recorder = LogRecorder()
        var logger = Self.logger(recorder)
        logger[metadataKey: "agent"] = "edge\n2026-11-29T00:00:00+0000 critical vigil.collector: forged"
        logger.warning("refused heartbeats for \("web\u{1B}[2J")", metadata: ["service": "a\r\nb", "list": ["x\u{07}"], "nested": ["k\n": "v\u{202E}"]])
        #expect(recorder.count == 1)
        let line = recorder.text
        #expect(line.contains(#"refused heartbeats for web\x1b[2J"#), "\(line)")
        #expect(line.contains(#"edge\n2026-11-29T00:00:00+0000 critical"#))
        // The recorder prints nested values with Swift's debug escaping on top; the top level is as logged.
        #expect(line.contains(#"a\r\nb"#) && line.contains(#"x\\x07"#) && line.contains(#"v\\u{202E}"#), "\(line)")
    }

    @Test("the hostile corpus, in the message, the metadata and the logger's own metadata, leaves no control behind")
    func corpus() {
        let recorder = LogRecorder()
        var logger = Self.logger(recorder)
        logger.logLevel = .debug
        for name in HostileText.corpus {
            logger[metadataKey: "agent"] = "\(name)"
            logger.error("\(name)", metadata: ["service": "\(name)", "list": ["\(name)"], "nested": ["\(name)": "\(name)"]])
            logger.trace("\(name)")  // below the level: never reaches the handler
        }
        #expect(recorder.count == HostileText.corpus.count)
        #expect(!recorder.text.unicodeScalars.contains { $0 != "\n" && Escaping.needsVisibleEscape($0) })
        // One line per message: the only line feeds are the recorder's own separators.
        #expect(recorder.text.split(separator: "\n", omittingEmptySubsequences: false).count == HostileText.corpus.count)
    }
}
