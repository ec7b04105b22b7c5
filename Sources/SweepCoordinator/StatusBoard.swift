import Foundation

/// Where the coordinator's loop leaves its newest ``CoordinatorSnapshot`` for readers on other
/// threads (the HTTP side): one lock around one value, swapped at most every
/// ``publishIntervalMilliseconds`` by the loop, copied out by a reader. A reader holds the lock
/// only for a pointer copy, so no request can stall the loop's dispatch.
public final class StatusBoard: @unchecked Sendable {
    // @unchecked Sendable: `latestSnapshot` and `nextPublish` are read and written under `lock` only.
    private let lock = NSLock()
    private var latestSnapshot: CoordinatorSnapshot?
    private var nextPublish: Int64 = .min
    /// The name of the sweep the coordinator runs (known before the first snapshot).
    public let sweep: String
    /// The loop publishes at most this often (and once more when the sweep finishes).
    public let publishIntervalMilliseconds: Int64

    public init(sweep: String, publishIntervalMilliseconds: Int64 = 250) {
        self.sweep = sweep
        self.publishIntervalMilliseconds = publishIntervalMilliseconds
    }

    /// The newest snapshot, or nil before the loop's first.
    public var latest: CoordinatorSnapshot? {
        lock.lock()
        defer { lock.unlock() }
        return latestSnapshot
    }

    /// Replaces the snapshot.
    public func publish(_ snapshot: CoordinatorSnapshot) {
        lock.lock()
        latestSnapshot = snapshot
        lock.unlock()
    }

    /// Whether a snapshot is due at `now` (monotonic ms); if so the next is due one interval later.
    func isDue(now: Int64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard now >= nextPublish else { return false }
        nextPublish = now + publishIntervalMilliseconds
        return true
    }
}
