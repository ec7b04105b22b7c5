/// A sweep's status as JSON: what `nmsweep status --format json` prints (one per sweep) and what
/// the coordinator's `/api/status` serves (docs/http.md), with the same field names.
///
/// Every field is always present; an unknown value is `null` (a rate before the first cell is
/// done, a worker's host before its row is read). Keys are the properties' names in snake_case.
public struct StatusDocument: ExplicitNullEncodable, Sendable, Equatable {
    /// The coordinator that runs the sweep.
    public struct Coordinator: ExplicitNullEncodable, Sendable, Equatable {
        public var host: String
        public var pid: Int
        /// Where workers connect.
        public var endpoint: String
        public var version: String
        /// Seconds since 1970.
        public var startedAt: Double
        /// Seconds since it last published its counters (nil: not known).
        public var secondsSinceHeartbeat: Double?
    }

    /// Cells by state. `leased`, `waiting` and `committing` are the coordinator's own (the table
    /// does not track leases); without a coordinator they are 0 and `queued` holds what is left.
    public struct Cells: ExplicitNullEncodable, Sendable, Equatable {
        public var total = 0, done = 0, failed = 0, leased = 0, queued = 0, waiting = 0, committing = 0
    }

    /// Throughput and time left.
    public struct Progress: ExplicitNullEncodable, Sendable, Equatable {
        /// Cells finished by the running coordinator since it started (0 without one).
        public var doneThisRun = 0
        public var elapsedSeconds = 0.0
        /// Cells per second; nil before the first cell of the run is done.
        public var rate: Double?
        /// Seconds left; nil when nothing moves.
        public var etaSeconds: Double?
    }

    /// One worker: the coordinator's view (running cells, last heard) and its `workers` row.
    public struct Worker: ExplicitNullEncodable, Sendable, Equatable {
        public var id: String
        /// `connected`, `lost` (declared dead: silent, or its connection vanished) or `left` (said SHUTDOWN).
        public var state: String
        public var host: String?
        public var slots: Int?
        public var version: String?
        /// Cells it holds a lease on now.
        public var running = 0
        /// Results of this sweep it made (rows of `results`).
        public var results: Int?
        /// Seconds since its last heartbeat (any message).
        public var secondsSinceHeartbeat: Double?

        public init(id: String, state: String, host: String? = nil, slots: Int? = nil, version: String? = nil, running: Int = 0,
                    results: Int? = nil, secondsSinceHeartbeat: Double? = nil) {
            self.id = id
            self.state = state
            self.host = host
            self.slots = slots
            self.version = version
            self.running = running
            self.results = results
            self.secondsSinceHeartbeat = secondsSinceHeartbeat
        }
    }

    /// A failed cell and its last error.
    public struct Failure: ExplicitNullEncodable, Sendable, Equatable {
        /// The cell key (hex).
        public var cell: String
        /// The grid point in words (`evaluate fmnist noise 0.10 mlp seed 2`), when known.
        public var point: String?
        public var attempts: Int?
        public var error: String

        public init(cell: String, point: String?, attempts: Int?, error: String) {
            self.cell = cell
            self.point = point
            self.attempts = attempts
            self.error = error
        }
    }

    public var sweep: String
    public var sweepID: Int64
    /// `running` while a coordinator runs it; else the sweep's state (`done`, `failed`, `pending`,
    /// `cancelled`, or `stopped` for a sweep marked running whose coordinator is gone).
    public var state: String
    public var running: Bool
    public var coordinator: Coordinator?
    public var cells = Cells()
    public var progress = Progress()
    public var workers: [Worker] = []
    /// Newest first, at most 50.
    public var failures: [Failure] = []
    /// Queued command cells that no connected worker may run (none has `--allow-commands` and
    /// the tags they require), by requirement; empty when none waits or no coordinator runs.
    public var commandWaits: [CommandWait] = []

    /// Command cells waiting for a capable worker.
    public struct CommandWait: ExplicitNullEncodable, Sendable, Equatable {
        /// The tags they require (`requires:`); a worker needs `--allow-commands` and all of them.
        public var requires: [String]
        public var cells: Int
    }

    public init(sweep: String, sweepID: Int64, state: String, running: Bool) {
        self.sweep = sweep
        self.sweepID = sweepID
        self.state = state
        self.running = running
    }

    /// The coordinator, cells and progress of a coordinator's counters (its live row, or the
    /// snapshot it publishes for `/api/status`); the workers with their leases, not yet joined to
    /// their rows.
    public mutating func take(_ live: LiveStatus) {
        coordinator = Coordinator(host: live.host, pid: live.pid, endpoint: live.endpoint, version: live.version,
                                  startedAt: live.startedAt, secondsSinceHeartbeat: live.secondsSinceHeartbeat)
        cells = Cells(total: live.total, done: live.done, failed: live.failed, leased: live.leased, queued: live.queued,
                      waiting: live.waiting, committing: live.committing)
        progress = Progress(doneThisRun: live.doneThisRun, elapsedSeconds: live.elapsedSeconds, rate: live.rate, etaSeconds: live.etaSeconds)
        workers = live.workers.map { Worker(id: $0.id, state: "connected", running: $0.leased) }
        commandWaits = live.commandWaits.map { CommandWait(requires: $0.requires, cells: $0.cells) }
    }
}

extension StatusDocument {
    /// The document of `status` (from the database: what `nmsweep status` reads), with the
    /// workers the live row names joined to their `workers` rows, or without a live coordinator
    /// the workers heard within `aliveWithin` seconds.
    public init(_ status: SweepStatus, workers records: [WorkerRecord], aliveWithin: Double) {
        let live = status.live.flatMap { $0.isLive ? $0 : nil }
        let state = live != nil ? "running" : (status.sweep.state == .running ? "stopped" : status.sweep.state.rawValue)
        self.init(sweep: status.sweep.name, sweepID: status.sweep.id, state: state, running: live != nil)
        let known = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        if let live {
            take(live)
            for index in workers.indices {
                guard let record = known[workers[index].id] else { continue }
                workers[index].host = record.host
                workers[index].slots = record.slots
                workers[index].version = record.version
                workers[index].secondsSinceHeartbeat = record.secondsSinceSeen
            }
        } else {
            cells.total = status.total
            cells.done = status.cells[.done] ?? 0
            cells.failed = status.cells[.failed] ?? 0
            cells.queued = status.remaining
            progress.rate = status.throughput > 0 ? status.throughput : nil
            workers = records.filter { ($0.secondsSinceSeen ?? .infinity) <= aliveWithin }.map { w in
                Worker(id: w.id, state: "connected", host: w.host, slots: w.slots, version: w.version, running: 0,
                       secondsSinceHeartbeat: w.secondsSinceSeen)
            }
        }
        failures = status.failed.map { Failure(cell: $0.key, point: $0.point, attempts: $0.attempts, error: $0.lastError ?? "no error recorded") }
    }
}
