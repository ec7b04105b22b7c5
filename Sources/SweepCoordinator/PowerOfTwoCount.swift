/// A count of events that are worth a log line only now and then (bad frames, dropped sends): it
/// says "log" at 1, 2, 4, 8, …, so a flood of them is a few summary lines, not a line each.
package struct PowerOfTwoCount {
    package private(set) var value = 0

    package init() {}

    /// Counts one; true when the new count is a power of two (log a summary now).
    package mutating func increment() -> Bool {
        value += 1
        return value & (value - 1) == 0
    }
}
