/// How a service's state follows from the states of its locations (DESIGN §5): how many locations must
/// see the service up for it to count as up.
///
/// Only locations whose state is known take part; with none known the service is `unknown`. A location
/// that is `degraded` sees the service up; the service is `degraded` when it is up and any known location
/// saw it degraded.
public enum Quorum: Sendable, Hashable {
    /// Up while any known location sees it up: down only when every known location sees it down.
    case any
    /// Up only while every known location sees it up: one location seeing it down is enough.
    case all
    /// Down when more than half of the known locations see it down, so one partitioned location out of
    /// three changes nothing (the default).
    case majority
    /// Up while at least this many known locations see it up (all of them when fewer are known).
    case atLeast(Int)

    /// The service state for one instant, given each location's state.
    public func combine<S: Sequence>(_ states: S) -> CheckStatus where S.Element == CheckStatus {
        var known = 0
        var down = 0
        var degraded = 0
        for state in states {
            switch state {
            case .up: known += 1
            case .degraded: known += 1; degraded += 1
            case .down: known += 1; down += 1
            case .unknown: break
            }
        }
        guard known > 0 else { return .unknown }
        let up = known - down
        let isUp: Bool
        switch self {
        case .any: isUp = up >= 1
        case .all: isUp = down == 0
        case .majority: isUp = down * 2 <= known
        case .atLeast(let n): isUp = up >= min(max(n, 1), known)
        }
        guard isUp else { return .down }
        return degraded > 0 ? .degraded : .up
    }

    /// Reads `any`, `all`, `majority` or a positive number.
    public init?(_ text: String) {
        switch text {
        case "any": self = .any
        case "all": self = .all
        case "majority": self = .majority
        default:
            guard let n = Int(text), n >= 1 else { return nil }
            self = .atLeast(n)
        }
    }

    /// The config spelling.
    public var name: String {
        switch self {
        case .any: "any"
        case .all: "all"
        case .majority: "majority"
        case .atLeast(let n): String(n)
        }
    }
}
