/// What an HTTP(S) check sends and what it accepts.
public struct HTTPCheckOptions: Sendable, Hashable {
    /// The URL.
    public var url: String
    /// Request method. Default `GET`.
    public var method: String = "GET"
    /// Extra request headers.
    public var headers: [String: String] = [:]
    /// Request body, if any.
    public var body: String?
    /// Accepted status codes. Default 200–299.
    public var expectStatus = StatusCodeSet()
    /// The body must contain this text.
    public var bodyContains: String?
    /// The body must match this regular expression.
    public var bodyRegex: String?
    /// A JSON value to look at, as `$.a.b[0]` (or `a.b[0]`).
    public var jsonPath: String?
    /// The value at ``jsonPath`` must equal this (numbers and booleans as written in JSON).
    public var jsonEquals: String?
    /// The value at ``jsonPath`` must contain this (a string containing it, or an array holding it).
    public var jsonContains: String?
    /// Redirects followed at most; 0 does not follow. Default 5.
    public var followRedirects: Int = 5
    /// Verify the server's certificate. Default `true`.
    public var tlsVerify = true
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?

    public init(url: String, expectStatus: StatusCodeSet = StatusCodeSet()) {
        self.url = url
        self.expectStatus = expectStatus
    }

    /// The options that need their own HTTP client.
    var clientKey: HTTPClientKey {
        HTTPClientKey(followRedirects: followRedirects, tlsVerify: tlsVerify, caFile: caFile)
    }
}

/// Client settings shared by the checks that use the same ones.
struct HTTPClientKey: Hashable, Sendable {
    var followRedirects: Int
    var tlsVerify: Bool
    var caFile: String?
}
