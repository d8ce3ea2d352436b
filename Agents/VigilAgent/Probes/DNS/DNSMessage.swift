/// DNS record types the DNS check understands.
public enum DNSRecordType: String, Sendable, Hashable, CaseIterable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", mx = "MX", txt = "TXT"

    /// The wire code.
    public var code: UInt16 {
        switch self {
        case .a: return 1
        case .cname: return 5
        case .mx: return 15
        case .txt: return 16
        case .aaaa: return 28
        }
    }
}

/// DNS response codes by name (RFC 1035 and 6895).
public enum DNSRcode {
    static let names: [UInt16: String] = [0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"]

    /// `NOERROR`, `NXDOMAIN`, ... or `RCODE n`.
    public static func name(_ code: UInt16) -> String { names[code] ?? "RCODE \(code)" }

    /// The code for a name, or `nil`.
    public static func code(_ name: String) -> UInt16? { names.first { $0.value == name.uppercased() }?.key }
}

/// Builds queries and reads answers: just enough of RFC 1035 for a health check.
enum DNSMessage {
    struct Response: Equatable {
        var id: UInt16
        var rcode: UInt16
        var truncated: Bool
        /// Answers of the asked type, rendered as text (A/AAAA addresses, names without the final dot,
        /// MX as `preference host`, TXT strings joined).
        var answers: [String]
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// A recursive query for `name` and `type`.
    static func query(id: UInt16, name: String, type: DNSRecordType) -> [UInt8] {
        var bytes: [UInt8] = []
        append16(id, &bytes)
        append16(0x0100, &bytes)  // recursion desired
        append16(1, &bytes)
        append16(0, &bytes)
        append16(0, &bytes)
        append16(0, &bytes)
        appendName(name, &bytes)
        append16(type.code, &bytes)
        append16(1, &bytes)  // IN
        return bytes
    }

    static func append16(_ value: UInt16, _ bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    static func appendName(_ name: String, _ bytes: inout [UInt8]) {
        for label in name.split(separator: ".") where !label.isEmpty {
            let utf8 = Array(label.utf8.prefix(63))
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
    }

    /// Parses a response, keeping the answers of `type`.
    static func parse(_ message: [UInt8], type: DNSRecordType) throws -> Response {
        guard message.count >= 12 else { throw ParseError(description: "short DNS response") }
        let id = read16(message, 0)
        let flags = read16(message, 2)
        let questions = Int(read16(message, 4))
        let answerCount = Int(read16(message, 6))
        var offset = 12
        for _ in 0..<questions {
            _ = try readName(message, &offset)
            offset += 4
        }
        var answers: [String] = []
        for _ in 0..<answerCount {
            _ = try readName(message, &offset)
            guard offset + 10 <= message.count else { throw ParseError(description: "truncated DNS record") }
            let recordType = read16(message, offset)
            let length = Int(read16(message, offset + 8))
            offset += 10
            guard offset + length <= message.count else { throw ParseError(description: "truncated DNS record data") }
            if recordType == type.code {
                answers.append(try render(message, offset: offset, length: length, type: type))
            }
            offset += length
        }
        return Response(id: id, rcode: flags & 0x000f, truncated: flags & 0x0200 != 0, answers: answers)
    }

    static func read16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        offset + 1 < bytes.count ? UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) : 0
    }

    /// Reads a possibly compressed name, moving `offset` past it.
    static func readName(_ message: [UInt8], _ offset: inout Int) throws -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var hops = 0
        while true {
            guard position < message.count else { throw ParseError(description: "name runs past the message") }
            let length = Int(message[position])
            if length & 0xc0 == 0xc0 {
                guard position + 1 < message.count, hops < 32 else { throw ParseError(description: "bad name pointer") }
                let target = (length & 0x3f) << 8 | Int(message[position + 1])
                if !jumped { offset = position + 2 }
                jumped = true
                hops += 1
                position = target
                continue
            }
            position += 1
            if length == 0 { break }
            guard position + length <= message.count else { throw ParseError(description: "label runs past the message") }
            labels.append(String(decoding: message[position..<position + length], as: UTF8.self))
            position += length
        }
        if !jumped { offset = position }
        return labels.joined(separator: ".").lowercased()
    }

    static func render(_ message: [UInt8], offset: Int, length: Int, type: DNSRecordType) throws -> String {
        let data = Array(message[offset..<offset + length])
        switch type {
        case .a:
            guard length == 4 else { throw ParseError(description: "A record of \(length) bytes") }
            return data.map(String.init).joined(separator: ".")
        case .aaaa:
            guard length == 16 else { throw ParseError(description: "AAAA record of \(length) bytes") }
            return ipv6Text(data)
        case .cname:
            var position = offset
            return try readName(message, &position)
        case .mx:
            var position = offset + 2
            return "\(read16(message, offset)) \(try readName(message, &position))"
        case .txt:
            var parts: [String] = []
            var position = 0
            while position < data.count {
                let size = Int(data[position])
                parts.append(String(decoding: data[(position + 1)..<min(data.count, position + 1 + size)], as: UTF8.self))
                position += 1 + size
            }
            return parts.joined()
        }
    }

    /// RFC 5952 text for an IPv6 address (longest zero run compressed, lowercase hex).
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[$0 * 2]) << 8 | UInt16(bytes[$0 * 2 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength && index - runStart > 1 { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
