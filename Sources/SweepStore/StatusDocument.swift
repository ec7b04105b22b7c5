public import Foundation

/// A sweep's status as JSON: what `nmsweep status --format json` prints (one per sweep) and what
/// the coordinator's `/api/status` serves (docs/http.md), with the same field names.
///
/// Every field is always present; an unknown value is `null` (a rate before the first cell is
/// done, a worker's host before its row is read). Keys are snake_case, sorted.
public struct StatusDocument: Codable, Sendable, Equatable {
    /// The coordinator that runs the sweep.
    public struct Coordinator: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int
        /// Where workers connect.
        public var endpoint: String
        public var version: String
        /// Seconds since 1970.
        public var startedAt: Double
        /// Seconds since it last published its counters.
        public var secondsSinceHeartbeat: Double?

        public init(host: String, pid: Int, endpoint: String, version: String, startedAt: Double, secondsSinceHeartbeat: Double?) {
            self.host = host
            self.pid = pid
            self.endpoint = endpoint
            self.version = version
            self.startedAt = startedAt
            self.secondsSinceHeartbeat = secondsSinceHeartbeat
        }

        enum CodingKeys: String, CodingKey {
            case host, pid, endpoint, version, startedAt = "started_at", secondsSinceHeartbeat = "seconds_since_heartbeat"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(pid, forKey: .pid)
            try c.encode(endpoint, forKey: .endpoint)
            try c.encode(version, forKey: .version)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(secondsSinceHeartbeat, forKey: .secondsSinceHeartbeat)
        }
    }

    /// Cells by state. `leased`, `waiting` and `committing` are the coordinator's own (the table
    /// does not track leases); without a coordinator they are 0 and `queued` holds what is left.
    public struct Cells: Codable, Sendable, Equatable {
        public var total = 0, done = 0, failed = 0, leased = 0, queued = 0, waiting = 0, committing = 0
        public init() {}
    }

    /// Throughput and time left.
    public struct Progress: Codable, Sendable, Equatable {
        /// Cells finished by the running coordinator since it started (0 without one).
        public var doneThisRun = 0
        public var elapsedSeconds = 0.0
        /// Cells per second; nil before the first cell of the run is done.
        public var rate: Double?
        /// Seconds left; nil when nothing moves.
        public var etaSeconds: Double?
        public init() {}

        enum CodingKeys: String, CodingKey {
            case doneThisRun = "done_this_run", elapsedSeconds = "elapsed_seconds", rate, etaSeconds = "eta_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(doneThisRun, forKey: .doneThisRun)
            try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
            try c.encode(rate, forKey: .rate)
            try c.encode(etaSeconds, forKey: .etaSeconds)
        }
    }

    /// One worker: the coordinator's view (running cells, last heard) and its `workers` row.
    public struct Worker: Codable, Sendable, Equatable {
        public var id: String
        /// `connected`, `lost` (declared dead: silent, or its connection vanished) or `left` (said SHUTDOWN).
        public var state: String
        public var host: String?
        public var slots: Int?
        public var version: String?
        /// Cells it holds a lease on now.
        public var running: Int
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

        enum CodingKeys: String, CodingKey {
            case id, state, host, slots, version, running, results, secondsSinceHeartbeat = "seconds_since_heartbeat"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(state, forKey: .state)
            try c.encode(host, forKey: .host)
            try c.encode(slots, forKey: .slots)
            try c.encode(version, forKey: .version)
            try c.encode(running, forKey: .running)
            try c.encode(results, forKey: .results)
            try c.encode(secondsSinceHeartbeat, forKey: .secondsSinceHeartbeat)
        }
    }

    /// A failed cell and its last error.
    public struct Failure: Codable, Sendable, Equatable {
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

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cell, forKey: .cell)
            try c.encode(point, forKey: .point)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(error, forKey: .error)
        }
    }

    public var sweep: String
    public var sweepID: Int64
    /// `running` while a coordinator runs it; else the sweep's state (`done`, `failed`, `pending`,
    /// or `stopped` for a sweep marked running whose coordinator is gone).
    public var state: String
    public var running: Bool
    public var coordinator: Coordinator?
    public var cells = Cells()
    public var progress = Progress()
    public var workers: [Worker] = []
    /// Newest first, at most 50.
    public var failures: [Failure] = []

    public init(sweep: String, sweepID: Int64, state: String, running: Bool) {
        self.sweep = sweep
        self.sweepID = sweepID
        self.state = state
        self.running = running
    }

    enum CodingKeys: String, CodingKey {
        case sweep, sweepID = "sweep_id", state, running, coordinator, cells, progress, workers, failures
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sweep, forKey: .sweep)
        try c.encode(sweepID, forKey: .sweepID)
        try c.encode(state, forKey: .state)
        try c.encode(running, forKey: .running)
        try c.encode(coordinator, forKey: .coordinator)
        try c.encode(cells, forKey: .cells)
        try c.encode(progress, forKey: .progress)
        try c.encode(workers, forKey: .workers)
        try c.encode(failures, forKey: .failures)
    }

    /// JSON text of `value` with sorted keys (one line; `pretty` for people).
    public static func json(_ value: some Encodable, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Our documents hold only strings, numbers and arrays of them: encoding cannot fail.
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
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
            coordinator = Coordinator(host: live.host, pid: live.pid, endpoint: live.endpoint, version: live.version,
                                      startedAt: live.startedAt, secondsSinceHeartbeat: live.secondsSinceHeartbeat)
            cells.total = live.total
            cells.done = live.done
            cells.failed = live.failed
            cells.leased = live.leased
            cells.queued = live.queued
            cells.waiting = live.waiting
            cells.committing = live.committing
            progress.doneThisRun = live.doneThisRun
            progress.elapsedSeconds = live.elapsedSeconds
            progress.rate = live.rate
            progress.etaSeconds = live.etaSeconds
            workers = live.workers.map { w in
                let record = known[w.id]
                return Worker(id: w.id, state: "connected", host: record?.host, slots: record?.slots, version: record?.version,
                              running: w.leased, secondsSinceHeartbeat: record?.secondsSinceSeen)
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
