/// What one connection's guard does as its requests arrive: a pure state machine, tested alone
/// (`ConnectionStateTests`); ``ConnectionGuardHandler`` carries out its actions on the channel.
///
/// A connection admitted within the limit serves requests, each of which must arrive whole within the
/// request timeout. A connection past the limit waits a short while for its request head: `GET
/// /healthz` is served (a health check must see a live collector under load), anything else is
/// answered 503 and closed, and silence is closed.
struct ConnectionState {
    enum State: Equatable {
        /// Within the limit; `reading` while a request's head has arrived and its end has not.
        case admitted(reading: Bool)
        /// Past the limit, waiting for its first request head.
        case overLimit
        /// Past the limit and serving `/healthz`; closed once that answer is written.
        case healthCheck(reading: Bool)
        /// Answered 503 or 408 (or closed); everything else it sends is dropped.
        case closing
    }

    enum Action: Equatable {
        /// Pass the part on to the application.
        case forward
        /// Pass the head on and start the request timer.
        case forwardAndStartTimer
        /// Pass the end on and stop the request timer.
        case forwardAndStopTimer
        /// Drop the part.
        case drop
        /// Answer `503 too_many_connections` and close.
        case refuse
        /// Answer `408 request_timeout` and close.
        case timeOut
        /// Close without an answer.
        case close
        /// Nothing to do.
        case none
    }

    private(set) var state: State

    init(admitted: Bool) {
        state = admitted ? .admitted(reading: false) : .overLimit
    }

    /// Whether the connection closes once the response being written ends.
    var closesAfterResponse: Bool {
        switch state {
        case .healthCheck, .closing: true
        case .admitted, .overLimit: false
        }
    }

    mutating func head(method: String, path: String) -> Action {
        switch state {
        case .admitted:
            state = .admitted(reading: true)
            return .forwardAndStartTimer
        case .overLimit:
            if method == "GET", path == "/healthz" || path.hasPrefix("/healthz?") {
                state = .healthCheck(reading: true)
                return .forwardAndStartTimer
            }
            state = .closing
            return .refuse
        case .healthCheck:
            // One request only: a second head on the same connection is refused.
            state = .closing
            return .refuse
        case .closing:
            return .drop
        }
    }

    mutating func body() -> Action {
        switch state {
        case .admitted(reading: true), .healthCheck(reading: true): .forward
        default: .drop
        }
    }

    mutating func end() -> Action {
        switch state {
        case .admitted(reading: true):
            state = .admitted(reading: false)
            return .forwardAndStopTimer
        case .healthCheck(reading: true):
            state = .healthCheck(reading: false)
            return .forwardAndStopTimer
        default:
            return .drop
        }
    }

    /// The request timer fired: the request did not arrive whole in time.
    mutating func requestTimerFired() -> Action {
        switch state {
        case .admitted(reading: true), .healthCheck(reading: true):
            state = .closing
            return .timeOut
        default:
            return .none
        }
    }

    /// The wait for a connection past the limit to send its head ran out.
    mutating func headTimerFired() -> Action {
        guard state == .overLimit else { return .none }
        state = .closing
        return .close
    }
}
