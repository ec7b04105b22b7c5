public import Foundation

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
        /// Seconds since it was last heard from, at ``CoordinatorSnapshot/takenAt``.
        public var secondsSinceHeartbeat: Double
    }

    /// A failed cell with its last error, from the scheduler.
    public struct Failure: Sendable, Equatable {
        public var cell: String
        public var attempts: Int
        public var error: String
    }

    public var sweep: String
    public var sweepID: Int64
    public var host: String
    public var pid: Int
    /// Where workers connect.
    public var endpoint: String
    public var version: String
    /// When the coordinator started and when this snapshot was taken, seconds since 1970.
    public var startedAt: Double
    public var takenAt: Double

    public var total = 0, done = 0, failed = 0, leased = 0, queued = 0, waiting = 0, committing = 0
    /// Cells finished in this run, seconds since its first assignment, and the estimator's rate and ETA.
    public var doneThisRun = 0
    public var elapsedSeconds = 0.0
    public var rate: Double?
    public var etaSeconds: Double?
    /// Assignments sent in this run.
    public var assigned = 0
    public var workers: [Worker] = []
    /// Failed cells, at most ``failureLimit``, in the scheduler's cell order.
    public var failures: [Failure] = []
    /// Frames dropped as undecodable or misdirected, and CURVE handshakes refused.
    public var badFrames = 0
    public var refusedConnections = 0
    /// Every cell is done or failed (the loop is ending), or a stop signal came.
    public var finished = false
    public var stopping = false

    /// Failures kept in a snapshot at most.
    public static let failureLimit = 50

    public init(sweep: String, sweepID: Int64, host: String, pid: Int, endpoint: String, version: String, startedAt: Double, takenAt: Double) {
        self.sweep = sweep
        self.sweepID = sweepID
        self.host = host
        self.pid = pid
        self.endpoint = endpoint
        self.version = version
        self.startedAt = startedAt
        self.takenAt = takenAt
    }
}
