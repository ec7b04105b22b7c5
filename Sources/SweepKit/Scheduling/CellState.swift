
/// Where a cell stands in the scheduler.
public enum CellState: UInt8, Hashable, Sendable, CaseIterable {
    /// An evaluate cell waiting for its pre-training's artifact.
    case blocked
    /// Ready to be assigned.
    case queued
    /// Assigned to a worker under a lease.
    case leased
    /// A result has arrived and is being written; acknowledged once committed.
    case committing
    case done
    case failed
}

/// A cell as the scheduler needs it: identity, dependency and what it would like a worker to hold.
public struct ScheduledCell: Hashable, Sendable {
    public var key: CellKey
    public var kind: CellKind
    /// The pretrain cell this cell needs (its artifact must be available before it runs).
    public var dependency: CellKey?
    /// The downstream task, for feature locality (a worker that ran this task on the same model
    /// holds its extracted features).
    public var task: String?
    /// A token of the data the cell reads directly (black-box feature files), for locality.
    public var dataLocality: String?
    /// Command cells: the tags a worker must announce (possibly none), and only workers that
    /// opted in to commands run it; nil: any worker.
    public var requires: [String]?

    public init(key: CellKey, kind: CellKind, dependency: CellKey? = nil, task: String? = nil, dataLocality: String? = nil,
                requires: [String]? = nil) {
        self.key = key
        self.kind = kind
        self.dependency = dependency
        self.task = task
        self.dataLocality = dataLocality
        self.requires = requires
    }

    public init(_ cell: GridCell) {
        self.init(key: cell.key, kind: cell.kind, dependency: cell.dependency, task: cell.task, dataLocality: cell.dataLocality,
                  requires: cell.spec.workerRequirement)
    }
}

/// Where a cell stands in the database (`cells.state`; SweepStore reads and writes it, the
/// scheduler rebuilds from it). Its raw values are the column's words.
public enum StoredCellState: String, Hashable, Sendable, CaseIterable {
    case queued, leased, done, failed
    /// Left by a cancelled sweep; runs again like a queued cell when its sweep is submitted again.
    case cancelled
}

/// A cell's state as loaded from the database when the coordinator starts.
public struct PersistedCell: Hashable, Sendable {
    public var key: CellKey
    public var state: StoredCellState
    /// Attempts started, including one in flight for a leased cell.
    public var attempts: Int
    public var lastError: String?
    /// Done pretrain cells: SHA-256 of the artifact they produced.
    public var artifact: String?

    public init(key: CellKey, state: StoredCellState, attempts: Int = 0, lastError: String? = nil, artifact: String? = nil) {
        self.key = key
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.artifact = artifact
    }
}

/// How many cells are in each state.
public struct CellCounts: Hashable, Sendable {
    public var blocked = 0, queued = 0, leased = 0, committing = 0, done = 0, failed = 0

    public init() {}

    public var total: Int { blocked + queued + leased + committing + done + failed }
    /// Cells not yet done or failed.
    public var unfinished: Int { blocked + queued + leased + committing }

    subscript(state: CellState) -> Int {
        get {
            switch state {
            case .blocked: blocked
            case .queued: queued
            case .leased: leased
            case .committing: committing
            case .done: done
            case .failed: failed
            }
        }
        set {
            switch state {
            case .blocked: blocked = newValue
            case .queued: queued = newValue
            case .leased: leased = newValue
            case .committing: committing = newValue
            case .done: done = newValue
            case .failed: failed = newValue
            }
        }
    }
}

/// A lease as the scheduler holds it.
public struct LeaseInfo: Hashable, Sendable {
    public var id: LeaseID
    public var cell: CellKey
    public var worker: WorkerID
    public var attempt: Int
    public var issuedAt: SchedulerTime
}
