/// How a service's state follows from the states of its locations (DESIGN §5).
///
/// Only locations whose state is known take part; with none known the service is `unknown`.
public enum Quorum: Sendable, Hashable {
    /// Down when any known location is down.
    case any
    /// Down only when every known location is down.
    case all
    /// Down when more than half of the known locations are down (the default).
    case majority
    /// Down when at least this many known locations are down (or all of them, if fewer are known).
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
        let isDown: Bool
        switch self {
        case .any: isDown = down >= 1
        case .all: isDown = down == known
        case .majority: isDown = down * 2 > known
        case .atLeast(let n): isDown = down >= min(max(n, 1), known)
        }
        if isDown { return .down }
        return degraded > 0 ? .degraded : .up
    }
}
