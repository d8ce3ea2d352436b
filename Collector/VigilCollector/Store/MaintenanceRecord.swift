import VigilCore

/// A maintenance window as stored (added through the API or `vigil maintenance add`).
public struct MaintenanceRecord: Sendable, Hashable {
    /// Weekly local hours.
    public struct Weekly: Sendable, Hashable {
        public var days: Set<Weekday>
        public var fromMinute: Int
        public var toMinute: Int
        /// A tz database name.
        public var timeZone: String

        public init(days: Set<Weekday>, fromMinute: Int, toMinute: Int, timeZone: String) {
            self.days = days
            self.fromMinute = fromMinute
            self.toMinute = toMinute
            self.timeZone = timeZone
        }

        /// The days as stored: raw values, sorted, comma-separated.
        var daysColumn: String { days.sorted().map(\.rawValue).joined(separator: ",") }

        /// Days read back from ``daysColumn``.
        static func days(column: String) -> Set<Weekday> {
            Set(column.split(separator: ",").compactMap { Weekday(rawValue: String($0)) })
        }
    }

    /// Store id (0 before it is stored).
    public var id: Int64
    /// The service, or `*` for all.
    public var service: String
    /// A one-off window, when not weekly.
    public var once: TimeRange?
    /// A weekly window, when not one-off.
    public var weekly: Weekly?
    /// Why.
    public var reason: String
    /// When it was added.
    public var createdMs: Int64

    public init(id: Int64 = 0, service: String, once: TimeRange? = nil, weekly: Weekly? = nil, reason: String, createdMs: Int64) {
        self.id = id
        self.service = service
        self.once = once
        self.weekly = weekly
        self.reason = reason
        self.createdMs = createdMs
    }
}
