import Foundation

/// Names and messages an attacker would choose: an agent picks service, check and location names, and a
/// probed server picks the banner or error text stored with a heartbeat. Every output format is tested
/// with each of them, here and in `scripts/security_test.py`; both read `scripts/testing/hostile_corpus.json`
/// so that there is one list (quotes with combining marks, CR/LF/CRLF, C0/C1 controls, bidi overrides,
/// `<script>`, formula prefixes, Slack sequences, a 10 KB name).
public enum HostileText {
    /// The corpus. A test that cannot read it fails loudly rather than passing on an empty list.
    public static let corpus: [String] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/testing/hostile_corpus.json").path
        guard let data = FileManager.default.contents(atPath: path),
            let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let corpus = document["corpus"] as? [String], !corpus.isEmpty
        else { fatalError("cannot read the hostile-text corpus at \(path)") }
        return corpus
    }()
}
