#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VigilCore
import VigilConfig

extension AgentConfiguration {
    static let checkKeys: Set<String> = [
        "host", "count",
        "name", "service", "kind", "url", "target", "interval", "timeout", "degraded_after",
        "method", "headers", "body", "expect_status", "body_contains", "body_regex", "json_path", "json_equals",
        "json_contains", "follow_redirects", "tls_verify", "ca_file", "send", "expect", "command",
        "server_name", "warning_days", "critical_days", "query", "record", "server", "expect_answers", "expect_rcode",
    ]

    static func parseCheck(_ item: ConfigValue, relativeTo directory: String) throws(ConfigError) -> CheckConfiguration {
        let object = try item.object(allowedKeys: checkKeys)
        let name = try object.required("name").nonEmptyString()
        let service = try object.optional("service")?.nonEmptyString() ?? name
        let kindValue = object.optional("kind")
        let kindName = try kindValue?.string() ?? (object.optional("url") != nil ? "http" : "tcp")
        let kind: CheckConfiguration.Kind
        switch kindName {
        case "http":
            kind = .http(try parseHTTP(object, relativeTo: directory))
        case "tcp":
            kind = try parseTCP(object)
        case "command":
            kind = try parseCommand(object, relativeTo: directory)
        case "tls":
            kind = try parseTLS(object, relativeTo: directory)
        case "dns":
            kind = try parseDNS(object)
        case "icmp":
            let host = try object.required("host").nonEmptyString()
            let countValue = object.optional("count")
            let count = try countValue?.int() ?? 3
            guard (1...20).contains(count) else { throw countValue!.error("must be between 1 and 20") }
            kind = .icmp(host: host, count: count)
        default:
            throw (kindValue ?? item).error("unknown kind \"\(kindName)\" (expected http, tcp, tls, dns, icmp or command)")
        }
        try refuseForeignKeys(object, kind: kindName)
        let interval = try object.optional("interval")?.durationMs() ?? 30_000
        let timeoutValue = object.optional("timeout")
        let timeout = try timeoutValue?.durationMs()
        if let timeout, timeout > interval, let timeoutValue {
            throw timeoutValue.error("timeout must not be longer than the interval")
        }
        var check = CheckConfiguration(name: name, service: service, kind: kind, intervalMs: interval, timeoutMs: timeout)
        check.degradedAfterMs = try object.optional("degraded_after")?.durationMs()
        return check
    }

    /// Keys that belong to another kind are a mistake, not something to ignore.
    private static func refuseForeignKeys(_ object: ConfigObject, kind: String) throws(ConfigError) {
        let allowed: Set<String> = switch kind {
        case "http": ["url", "method", "headers", "body", "expect_status", "body_contains", "body_regex", "json_path",
                      "json_equals", "json_contains", "follow_redirects", "tls_verify", "ca_file"]
        case "tcp": ["target", "send", "expect"]
        case "tls": ["target", "server_name", "warning_days", "critical_days", "tls_verify", "ca_file"]
        case "dns": ["query", "record", "server", "expect_answers", "expect_rcode"]
        case "icmp": ["host", "count"]
        default: ["command"]
        }
        let common: Set<String> = ["name", "service", "kind", "interval", "timeout", "degraded_after"]
        let foreign = checkKeys.subtracting(allowed).subtracting(common).sorted()
        for key in foreign {
            if let value = object.optional(key) { throw value.error("not used by \(kind) checks") }
        }
    }

    private static func parseHTTP(_ object: ConfigObject, relativeTo directory: String) throws(ConfigError) -> HTTPCheckOptions {
        let urlValue = try object.required("url")
        let text = try urlValue.nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw urlValue.error("expected an http:// or https:// URL")
        }
        var options = HTTPCheckOptions(url: text)
        if let method = object.optional("method") {
            let value = try method.nonEmptyString().uppercased()
            guard ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(value) else {
                throw method.error("expected GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS")
            }
            options.method = value
        }
        if let headers = object.optional("headers") {
            let mapping = try headers.object(allowedKeys: nil)
            for (key, value) in mapping.entries { options.headers[key] = try value.string() }
        }
        options.body = try object.optional("body")?.string()
        if let expect = object.optional("expect_status") {
            let items = (try? expect.array()) ?? [expect]
            var ranges: [ClosedRange<Int>] = []
            for entry in items {
                guard let range = StatusCodeSet.parseItem(try entry.string()) else {
                    throw entry.error("expected a status code such as 200 or a range such as 200-299")
                }
                ranges.append(range)
            }
            options.expectStatus = StatusCodeSet(ranges: ranges)
        }
        options.bodyContains = try object.optional("body_contains")?.string()
        if let regex = object.optional("body_regex") {
            let pattern = try regex.string()
            do {
                _ = try Regex(pattern)
            } catch {
                throw regex.error("invalid regular expression: \(error)")
            }
            options.bodyRegex = pattern
        }
        if let path = object.optional("json_path") {
            let text = try path.nonEmptyString()
            guard JSONPath(text) != nil else { throw path.error("expected a path such as $.status or $.items[0].name") }
            options.jsonPath = text
        }
        options.jsonEquals = try object.optional("json_equals")?.string()
        options.jsonContains = try object.optional("json_contains")?.string()
        if options.jsonPath == nil, let stray = object.optional("json_equals") ?? object.optional("json_contains") {
            throw stray.error("needs json_path")
        }
        if let redirects = object.optional("follow_redirects") {
            let value = try redirects.int()
            guard (0...20).contains(value) else { throw redirects.error("must be between 0 and 20") }
            options.followRedirects = value
        }
        if let verify = object.optional("tls_verify") { options.tlsVerify = try verify.bool() }
        if let ca = object.optional("ca_file") { options.caFile = try readableFile(ca, relativeTo: directory) }
        return options
    }

    private static func parseCommand(_ object: ConfigObject, relativeTo directory: String) throws(ConfigError) -> CheckConfiguration.Kind {
        let value = try object.required("command")
        var argv: [String] = []
        for item in try value.array() { argv.append(try item.string()) }
        guard let program = argv.first, !program.isEmpty else { throw value.error("expected [program, arguments...]") }
        if program.contains("/") {
            if !program.hasPrefix("/") { argv[0] = FilePaths.join(directory, program) }
            guard FileManager.default.isExecutableFile(atPath: argv[0]) else {
                throw value.error("\(argv[0]) is not an executable file")
            }
        }
        return .command(argv: argv)
    }

    private static func parseTLS(_ object: ConfigObject, relativeTo directory: String) throws(ConfigError) -> CheckConfiguration.Kind {
        let (host, port) = try hostPort(try object.required("target"), defaultPort: 443)
        var options = TLSCheckOptions(host: host, port: port)
        options.serverName = try object.optional("server_name")?.nonEmptyString()
        if let warning = object.optional("warning_days") { options.warningDays = try warning.int() }
        if let critical = object.optional("critical_days") { options.criticalDays = try critical.int() }
        if options.criticalDays > options.warningDays, let critical = object.optional("critical_days") {
            throw critical.error("must not be more than warning_days (\(options.warningDays))")
        }
        if let verify = object.optional("tls_verify") { options.verify = try verify.bool() }
        if let ca = object.optional("ca_file") { options.caFile = try readableFile(ca, relativeTo: directory) }
        return .tls(options)
    }

    private static func parseDNS(_ object: ConfigObject) throws(ConfigError) -> CheckConfiguration.Kind {
        var options = DNSCheckOptions(query: try object.required("query").nonEmptyString())
        if let record = object.optional("record") {
            guard let type = DNSRecordType(rawValue: try record.string().uppercased()) else {
                throw record.error("expected A, AAAA, CNAME, MX or TXT")
            }
            options.record = type
        }
        if let server = object.optional("server") {
            let text = try server.nonEmptyString()
            do {
                _ = try DNSProbe.serverAddress(text)
            } catch {
                throw server.error("expected an IP address with an optional port, e.g. 127.0.0.1:53 or [::1]:53")
            }
            options.server = text
        }
        if let answers = object.optional("expect_answers") {
            for item in (try? answers.array()) ?? [answers] { options.expectAnswers.append(try item.nonEmptyString()) }
        }
        if let rcode = object.optional("expect_rcode") {
            let text = try rcode.string().uppercased()
            guard DNSRcode.code(text) != nil else { throw rcode.error("expected NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR or NOTIMP") }
            options.expectRcode = text
        }
        return .dns(options)
    }

    static func readableFile(_ value: ConfigValue, relativeTo directory: String) throws(ConfigError) -> String {
        var path = try value.nonEmptyString()
        if !path.hasPrefix("/") { path = FilePaths.join(directory, path) }
        guard FileManager.default.isReadableFile(atPath: path) else { throw value.error("cannot read \(path)") }
        return path
    }

    /// `HOST:PORT` (or `[v6]:PORT`); `HOST` alone takes `defaultPort` when there is one.
    static func hostPort(_ value: ConfigValue, defaultPort: Int? = nil) throws(ConfigError) -> (String, Int) {
        let text = try value.nonEmptyString()
        if let defaultPort, !text.contains(":") { return (text, defaultPort) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65535).contains(port), colon > text.startIndex else {
            throw value.error("expected HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    private static func parseTCP(_ object: ConfigObject) throws(ConfigError) -> CheckConfiguration.Kind {
        let (host, port) = try hostPort(try object.required("target"))
        let send = try object.optional("send")?.string()
        let expect = try object.optional("expect")?.nonEmptyString()
        return .tcp(host: host, port: port, send: send, expect: expect)
    }
}
