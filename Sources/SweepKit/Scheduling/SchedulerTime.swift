/// A point on the coordinator's monotonic clock, in milliseconds since an arbitrary origin.
///
/// The scheduler never reads a clock: its driver passes the time into every event, so tests run
/// on an injected clock with no sleeps.
public struct SchedulerTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = SchedulerTime(milliseconds: 0)

    public static func < (lhs: SchedulerTime, rhs: SchedulerTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// `time` moved on by `milliseconds`.
    public static func + (time: SchedulerTime, milliseconds: Int64) -> SchedulerTime {
        SchedulerTime(milliseconds: time.milliseconds &+ milliseconds)
    }

    /// Milliseconds from `earlier` to `self`.
    public static func - (time: SchedulerTime, earlier: SchedulerTime) -> Int64 { time.milliseconds &- earlier.milliseconds }

    public var description: String { "\(milliseconds) ms" }
}
