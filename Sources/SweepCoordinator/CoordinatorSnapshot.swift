public import SweepStore

/// What the coordinator's loop publishes for its HTTP side (``StatusBoard``): an immutable copy
/// of its counters, workers and failures at one moment, so a page or an API request reads this
/// value and never the loop's state (docs/http.md).
public struct CoordinatorSnapshot: Sendable, Equatable {
    /// One live worker: the scheduler's record of it.
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var slots: Int
        /// Cells it holds a lease on.
        public var running: Int
        /// Assignments it may still take.
        public var credit: Int
        /// Seconds since it was last heard from, when the snapshot was taken.
        public var secondsSinceHeartbeat: Double

        public init(id: String, slots: Int, running: Int, credit: Int, secondsSinceHeartbeat: Double) {
            self.id = id
            self.slots = slots
            self.running = running
            self.credit = credit
            self.secondsSinceHeartbeat = secondsSinceHeartbeat
        }
    }

    /// A failed cell with its last error, from the scheduler.
    public struct Failure: Sendable, Equatable {
        public var cell: String
        public var attempts: Int
        public var error: String

        public init(cell: String, attempts: Int, error: String) {
            self.cell = cell
            self.attempts = attempts
            self.error = error
        }
    }

    public var sweep: String
    public var sweepID: Int64
    /// The counters of the live row (`nmsweep status`): cells by state, rate, ETA, who runs it.
    public var live: LiveStatus
    /// When it was taken, seconds since 1970.
    public var takenAt: Double
    /// The live workers, by id.
    public var workers: [Worker] = []
    /// Failed cells, at most ``failureLimit``, in the scheduler's cell order.
    public var failures: [Failure] = []
    /// Assignments sent in this run.
    public var assigned = 0
    /// Frames dropped as undecodable or misdirected, and CURVE handshakes refused.
    public var badFrames = 0
    public var refusedConnections = 0
    /// Every cell is done or failed (the loop is ending).
    public var finished = false
    /// A stop signal came: no more dispatch.
    public var stopping = false

    /// Failures kept in a snapshot at most.
    public static let failureLimit = 50

    public init(sweep: String, sweepID: Int64, live: LiveStatus, takenAt: Double) {
        self.sweep = sweep
        self.sweepID = sweepID
        self.live = live
        self.takenAt = takenAt
    }
}
