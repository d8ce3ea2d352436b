import VigilCore
import VigilWire

extension BatchRoute {
    /// Limits on what one batch may carry (issue 9: input limits everywhere).
    enum Limits {
        /// Heartbeats in one batch; more is 413 so the agent splits it. Far above the 1,000 agents send.
        static let heartbeats = 100_000
        /// Check definitions in one batch.
        static let checks = 10_000
        /// Bytes of a check's name or service.
        static let name = 200
        /// Bytes of a check's kind.
        static let kind = 32
        /// Bytes of a check's target.
        static let target = 2_048
        /// Bytes of a heartbeat's message; longer ones are cut at a character boundary, not refused.
        static let message = 1_024
    }

    /// Checks what the codec cannot: values that would make the figures meaningless, and sizes past
    /// ``Limits``. Overlong heartbeat messages are shortened rather than refused, so a chatty probe
    /// loses words, not heartbeats.
    static func validate(_ batch: inout Batch) throws(WireError) {
        guard !batch.sessionID.isEmpty else { throw WireError(.malformedBody, "session_id must not be empty") }
        guard batch.sessionID.utf8.count <= 128 else { throw WireError(.malformedBody, "session_id is longer than 128 bytes") }
        guard batch.seq <= UInt64(Int64.max) else { throw WireError(.malformedBody, "seq is out of range") }
        guard batch.heartbeats.count <= Limits.heartbeats else {
            throw WireError(.bodyTooLarge, "the batch has \(batch.heartbeats.count) heartbeats, more than \(Limits.heartbeats): split it")
        }
        guard batch.checks.count <= Limits.checks else {
            throw WireError(.bodyTooLarge, "the batch defines \(batch.checks.count) checks, more than \(Limits.checks)")
        }
        for (index, check) in batch.checks.enumerated() {
            guard !check.name.isEmpty else { throw WireError(.malformedBody, "checks[\(index)].name must not be empty") }
            guard !check.service.isEmpty else { throw WireError(.malformedBody, "checks[\(index)].service must not be empty") }
            guard check.intervalMs > 0 else { throw WireError(.malformedBody, "checks[\(index)].interval_ms must be greater than 0") }
            for (field, value, limit) in [("name", check.name, Limits.name), ("service", check.service, Limits.name), ("kind", check.kind, Limits.kind), ("target", check.target, Limits.target)]
            where value.utf8.count > limit {
                throw WireError(.malformedBody, "checks[\(index)].\(field) is \(value.utf8.count) bytes, more than \(limit)")
            }
            // PostgreSQL refuses NUL in text and SQLite readers stop at it: a name holding one could not be
            // stored as sent, and two names differing after it would become one.
            for (field, value) in [("name", check.name), ("service", check.service), ("kind", check.kind), ("target", check.target)]
            where value.utf8.contains(0) {
                throw WireError(.malformedBody, "checks[\(index)].\(field) contains a NUL character")
            }
        }
        for index in batch.heartbeats.indices {
            if batch.heartbeats[index].message.utf8.count > Limits.message {
                batch.heartbeats[index].message = Self.prefix(batch.heartbeats[index].message, bytes: Limits.message)
            }
            // A probed server chooses its banner: a NUL in it becomes U+FFFD rather than cost the heartbeat.
            if batch.heartbeats[index].message.utf8.contains(0) {
                batch.heartbeats[index].message = String(String.UnicodeScalarView(
                    batch.heartbeats[index].message.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }
                ))
            }
        }
    }

    /// The longest prefix of `text` that fits in `bytes` of UTF-8 without splitting a character.
    static func prefix(_ text: String, bytes: Int) -> String {
        var used = 0
        var end = text.startIndex
        for character in text {
            let size = character.utf8.count
            guard used + size <= bytes else { break }
            used += size
            end = text.index(after: end)
        }
        return String(text[..<end])
    }
}
