/// A failure the CLI reports to the operator and exits non-zero for.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for scripts reading exit paths.
    public enum Code: String, Sendable {
        /// The collector could not be reached.
        case unreachable
        /// The collector answered with an error.
        case collector
        /// No admin token was found.
        case noToken = "no_token"
        /// The input was wrong.
        case usage
    }

    /// What kind of failure.
    public var code: Code
    /// Human explanation.
    public var message: String
    /// The collector's HTTP status, for ``Code/collector``.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }

    /// The process exit status for this failure, the same for every command (sysexits.h numbers):
    /// 64 bad input (also when the collector answers 400), 69 collector unreachable, 77 no token or a
    /// token without the rights (401, 403), 1 any other refusal by the collector. (0 is success; `vigil
    /// tickets import` exits 2 when some rows were bad.)
    public var exitStatus: Int32 {
        switch (code, httpStatus) {
        case (.usage, _), (.collector, 400): 64
        case (.unreachable, _): 69
        case (.noToken, _), (.collector, 401), (.collector, 403): 77
        case (.collector, _): 1
        }
    }
}
