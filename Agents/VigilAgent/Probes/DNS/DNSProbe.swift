#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
import VigilCore

/// What a DNS check asks and expects.
public struct DNSCheckOptions: Sendable, Hashable {
    /// The name to look up.
    public var query: String
    /// The record type. Default A.
    public var record: DNSRecordType = .a
    /// The server, `host:port`. Default: the first `nameserver` in /etc/resolv.conf, port 53.
    public var server: String?
    /// Answers that must all be present (addresses, names, `10 mail.example.com` or just the host for MX).
    public var expectAnswers: [String] = []
    /// The response code expected. Default NOERROR.
    public var expectRcode: String = "NOERROR"

    public init(query: String) {
        self.query = query
    }
}

/// A DNS lookup over UDP: up when the answer has the expected rcode, at least one record of the asked
/// type (when NOERROR is expected), and every expected answer.
public struct DNSProbe: Probe {
    /// What to check.
    public var options: DNSCheckOptions
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64

    public init(options: DNSCheckOptions, timeoutMs: Int64) {
        self.options = options
        self.timeoutMs = timeoutMs
    }

    public func run() async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await exchange()
            let latency = (clock.now - start).microseconds
            let verdict = Self.judge(response, options: options)
            return ProbeResult(status: verdict == nil ? .up : .down, latencyUs: latency, code: Int32(response.rcode), message: verdict ?? "")
        } catch let error as DNSMessage.ParseError {
            return ProbeResult(status: .down, latencyUs: (clock.now - start).microseconds, message: "bad DNS response: \(error)")
        } catch let error as DNSServerError {
            return ProbeResult(status: .unknown, latencyUs: (clock.now - start).microseconds, message: error.description)
        } catch {
            return ProbeResult(status: .down, latencyUs: (clock.now - start).microseconds, message: ProbeErrorText.describe(error, timeoutMs: timeoutMs))
        }
    }

    /// The first expectation the response fails, or `nil`.
    static func judge(_ response: DNSMessage.Response, options: DNSCheckOptions) -> String? {
        let rcode = DNSRcode.name(response.rcode)
        guard rcode == options.expectRcode.uppercased() else { return "rcode \(rcode), expected \(options.expectRcode.uppercased())" }
        guard rcode == "NOERROR" else { return nil }
        if response.truncated && response.answers.isEmpty { return "answer truncated (TCP fallback is not supported)" }
        guard !response.answers.isEmpty else { return "no \(options.record.rawValue) answer for \(options.query)" }
        for expected in options.expectAnswers {
            let wanted = String(expected.lowercased().drop { $0 == "." }.reversed().drop { $0 == "." }.reversed())
            let found = response.answers.contains { answer in
                answer == wanted || (options.record == .mx && answer.split(separator: " ").last.map(String.init) == wanted)
            }
            if !found { return "answer missing \(expected) (got \(response.answers.joined(separator: ", ")))" }
        }
        return nil
    }

    private func exchange() async throws -> DNSMessage.Response {
        let server = try Self.serverAddress(options.server)
        let id = UInt16.random(in: .min ... .max)
        let query = DNSMessage.query(id: id, name: options.query, type: options.record)
        let record = options.record
        return try await withTimeout(milliseconds: timeoutMs) {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query)))
                for try await envelope in inbound where envelope.remoteAddress == server {
                    let response = try DNSMessage.parse(Array(envelope.data.readableBytesView), type: record)
                    if response.id == id { return response }
                }
                throw ChannelError.eof
            }
        }
    }

    /// The server to ask: the configured one, or the first nameserver of /etc/resolv.conf.
    static func serverAddress(_ configured: String?) throws -> SocketAddress {
        var text = configured
        if text == nil {
            let resolv = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
            for line in resolv.split(separator: "\n") {
                let words: [Substring] = line.split(whereSeparator: { (c: Character) -> Bool in c == " " || c == "\t" })
                if words.count >= 2 && words[0] == "nameserver" {
                    text = String(words[1])
                    break
                }
            }
            guard text != nil else { throw DNSServerError(description: "no DNS server configured and none in /etc/resolv.conf") }
        }
        var host = text!
        var port = 53
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            port = Int(host[host.index(after: close)...].dropFirst()) ?? 53
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            port = Int(host[host.index(after: colon)...]) ?? 53
            host = String(host[..<colon])
        }
        do {
            return try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw DNSServerError(description: "DNS server must be an IP address, got \(host)")
        }
    }
}

/// The DNS check is misconfigured (no usable server): a configuration problem, not the target's.
struct DNSServerError: Error, CustomStringConvertible {
    var description: String
}
