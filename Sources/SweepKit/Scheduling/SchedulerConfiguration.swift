/// The scheduler's limits and timings.
public struct SchedulerConfiguration: Hashable, Sendable {
    /// Attempts of a cell before it is failed with its last error (the grid's `max_attempts`).
    public var maxAttempts: Int
    /// How often the coordinator sends a heartbeat to a worker it has sent nothing else to, in ms.
    public var heartbeatInterval: Int64
    /// A worker silent for more than `liveness × heartbeatInterval` ms is dead (Paranoid Pirate).
    public var liveness: Int
    /// A hard limit on one attempt's run time in ms, for a slot that hangs while the worker's
    /// heartbeat thread still beats; `nil` = no limit.
    public var maxLeaseDuration: Int64?
    /// At most this many assignments per ``Scheduler/dispatch(now:)`` call, so one call's work is bounded.
    public var maxAssignmentsPerDispatch: Int
    /// Dispatch stops while this many results wait for their commit (the result writer's buffer).
    public var resultBacklogLimit: Int
    /// Whether cells persisted as failed are queued again (attempts from 0) when the scheduler is
    /// rebuilt; by default a failed cell stays failed and the sweep finishes without it.
    public var retryFailedCells: Bool
    /// For how long after the scheduler's first event a result under a lease older than its first
    /// lease (a predecessor coordinator's, which it cannot check) is still taken, in ms: workers
    /// resend unacknowledged results right after they are welcomed, so a minute covers a restart.
    public var predecessorResultWindow: Int64 = 60_000

    public init(maxAttempts: Int = 3, heartbeatInterval: Int64 = 1_000, liveness: Int = 3, maxLeaseDuration: Int64? = nil,
                maxAssignmentsPerDispatch: Int = 4_096, resultBacklogLimit: Int = 65_536, retryFailedCells: Bool = false) {
        self.maxAttempts = max(1, maxAttempts)
        self.heartbeatInterval = max(1, heartbeatInterval)
        self.liveness = max(1, liveness)
        self.maxLeaseDuration = maxLeaseDuration
        self.maxAssignmentsPerDispatch = max(1, maxAssignmentsPerDispatch)
        self.resultBacklogLimit = max(1, resultBacklogLimit)
        self.retryFailedCells = retryFailedCells
    }

    /// Silence after which a worker is dead, in ms.
    public var deadAfter: Int64 { heartbeatInterval * Int64(liveness) }
}
