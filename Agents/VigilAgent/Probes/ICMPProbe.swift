#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
import VigilCore
#endif

/// ICMP echo (IPv4): `count` echo requests, one after another, within the timeout. Up with no loss,
/// degraded with some loss, down when every packet is
/// lost. Uses the unprivileged ping socket where `net.ipv4.ping_group_range` allows it and a raw socket as
/// root; when neither is allowed the check is `unknown` with a configuration message, not `down`.
public struct ICMPProbe: Probe {
    /// Host name or IPv4 address.
    public var host: String
    /// Echo requests per probe. Default 3.
    public var count: Int
    /// Whole-probe timeout, ms.
    public var timeoutMs: Int64

    public init(host: String, count: Int = 3, timeoutMs: Int64) {
        self.host = host
        self.count = max(1, count)
        self.timeoutMs = timeoutMs
    }

    public func run() async -> ProbeResult {
        let probe = self
        let outcome: PingOutcome
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive { probe.ping() }
        } catch {
            return ProbeResult(status: .unknown, latencyUs: 0, message: "\(error)")
        }
        switch outcome {
        case .notPermitted(let message):
            return ProbeResult(status: .unknown, latencyUs: 0, message: message)
        case .failed(let message):
            return ProbeResult(status: .down, latencyUs: 0, message: message)
        case .replies(let rtts):
            let loss = (count - rtts.count) * 100 / count
            guard !rtts.isEmpty else { return ProbeResult(status: .down, latencyUs: 0, code: 100, message: "100% loss (\(count) sent)") }
            let averageUs = rtts.reduce(0, +) / UInt64(rtts.count)
            let text = "\(loss)% loss, rtt avg \(OnceRun.formatLatency(UInt32(clamping: averageUs)))"
            return ProbeResult(status: loss > 0 ? .degraded : .up, latencyUs: UInt32(clamping: averageUs), code: Int32(loss), message: text)
        }
    }

    enum PingOutcome: Sendable {
        case replies([UInt64])
        case notPermitted(String)
        case failed(String)
    }

    /// The blocking part, on a thread-pool thread.
    func ping() -> PingOutcome {
        guard let address = Self.resolve(host) else { return .failed("cannot resolve \(host) to an IPv4 address") }
        var raw = false
        var fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), Int32(IPPROTO_ICMP))
        if fd < 0 {
            fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
            raw = true
        }
        guard fd >= 0 else {
            return .notPermitted("ICMP not permitted: run the agent as root (or with CAP_NET_RAW), or allow ping sockets with sysctl net.ipv4.ping_group_range")
        }
        defer { close(fd) }
        let identifier = UInt16(truncatingIfNeeded: getpid()) ^ UInt16.random(in: 0 ... .max)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(timeoutMs)
        var rtts: [UInt64] = []
        for sequence in 0..<count {
            let now = clock.now
            guard now < deadline else { break }
            let packetsLeft = count - sequence
            let budget = (deadline - now) / packetsLeft
            var packet = Self.echoRequest(identifier: identifier, sequence: UInt16(sequence))
            let sent = address.withSockAddr { sendto(fd, &packet, packet.count, 0, $0, socklen_t($1)) }
            if sent < 0 { return .failed("cannot send ICMP echo: \(String(cString: strerror(errno)))") }
            let sentAt = clock.now
            let waitUntil = sentAt + budget
            while clock.now < waitUntil {
                let remaining = waitUntil - clock.now
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ms = Int32(max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
                guard poll(&poller, 1, ms) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 1500)
                let received = recv(fd, &buffer, buffer.count, 0)
                guard received > 0 else { continue }
                if Self.isReply(Array(buffer[0..<received]), raw: raw, identifier: identifier, sequence: UInt16(sequence)) {
                    rtts.append(UInt64((clock.now - sentAt).microseconds))
                    break
                }
            }
        }
        return .replies(rtts)
    }

    /// The IPv4 address of `host` (a literal or a name), as NIO's socket address.
    static func resolve(_ host: String) -> SocketAddress? {
        if let literal = try? SocketAddress(ipAddress: host, port: 0) {
            if case .v4 = literal { return literal }
            return nil
        }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        return SocketAddress(first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee })
    }

    /// Type 8 echo request with a checksum (the kernel replaces id and checksum on ping sockets).
    static func echoRequest(identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var packet: [UInt8] = [8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xff), UInt8(sequence >> 8), UInt8(sequence & 0xff)]
        packet += Array("vigil-agent icmp".utf8)
        let sum = checksum(packet)
        packet[2] = UInt8(sum >> 8)
        packet[3] = UInt8(sum & 0xff)
        return packet
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Whether `packet` is the echo reply to our request (raw sockets see every ICMP packet, IP header
    /// first; ping sockets see only their own replies, without it).
    static func isReply(_ packet: [UInt8], raw: Bool, identifier: UInt16, sequence: UInt16) -> Bool {
        var icmp = packet[...]
        if raw {
            guard let first = packet.first else { return false }
            icmp = packet.dropFirst(Int(first & 0x0f) * 4)
        }
        guard icmp.count >= 8, icmp[icmp.startIndex] == 0 else { return false }
        let start = icmp.startIndex
        let replySequence = UInt16(icmp[start + 6]) << 8 | UInt16(icmp[start + 7])
        let replyIdentifier = UInt16(icmp[start + 4]) << 8 | UInt16(icmp[start + 5])
        return replySequence == sequence && (!raw || replyIdentifier == identifier)
    }
}
