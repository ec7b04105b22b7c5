import Foundation

/// A named thread that does one round of work every `interval` until it is stopped: the shape of
/// the coordinator's background duties (the sweep claim's lease writer, the embedded database's
/// supervisor). ``stop(waitingAtMost:)`` wakes the thread at once, lets it run one last round
/// (`isLast` true: flush, release), and waits a bounded time for that round to end — a stop must
/// never outlast a shutdown's grace period, even when the round is stuck on an absent database.
public final class PeriodicThread: @unchecked Sendable {
    public let name: String
    public let interval: Double
    private let round: @Sendable (_ isLast: Bool) -> Void
    /// `@unchecked Sendable`: `stopping` and `finished` are guarded by `condition`.
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false

    /// `round` runs on the thread: first after `interval` seconds, then every `interval` after the
    /// previous round ended, and once more with `isLast` true after ``stop(waitingAtMost:)``.
    public init(name: String, interval: Double, round: @escaping @Sendable (_ isLast: Bool) -> Void) {
        self.name = name
        self.interval = interval
        self.round = round
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Asks for the last round and waits for it at most `seconds`; returns whether it ended in
    /// time (if not, the thread still finishes its round on its own).
    @discardableResult
    public func stop(waitingAtMost seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(seconds)
        while !finished, condition.wait(until: deadline) {}
        return finished
    }

    private func run() {
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            let last = stopping
            condition.unlock()
            round(last)
            if last { break }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
