/// The coordinator's scheduling state machine: cells, workers and leases as plain values, driven
/// by events that carry the time, answering with ``SchedulerAction``s for a thin driver to perform.
///
/// Rules (docs/architecture.md, "Delivery and failure"):
/// - **Credit**: a worker registers with its slots and grants credit as slots free up; the
///   scheduler never has more leases on a worker than its slots and never assigns beyond its credit.
/// - **Credit**: a worker starts with none (registering grants nothing); only CREDIT grants it.
/// - **Liveness**: any message from a worker counts as a heartbeat; a worker silent for
///   `liveness × heartbeatInterval` is dead at the next ``tick(now:)``.
/// - **Guilt** (docs/reliability.md, "Crashes charge the guilty"): an attempt is charged to a lease
///   only when its worker accepted it (ACCEPTED, or a result or failure under it). A worker lost
///   holding one accepted lease charges that cell; one lost holding several charges none of them:
///   they become *suspects*, each of which runs next alone on a worker holding nothing else, so a
///   cell that crashes its worker is charged only when it crashed alone. A cell lost
///   ``unconfirmedLossLimit`` times alone without an acceptance is charged too (a cell that kills
///   its worker before the ACCEPTED leaves must still end).
/// - **Provenance**: a result is taken only under a lease this scheduler issued for that cell to
///   that worker (a late result of a superseded lease is fine), or under a lease older than this
///   scheduler's first that a predecessor persisted for that cell and worker and that has not
///   expired (``admitPredecessorLeases(_:now:)``; without them, any older lease within
///   ``SchedulerConfiguration/predecessorResultWindow`` of the first event; docs/reliability.md).
/// - **Retries**: a retryable failure is requeued until `maxAttempts` attempts, then the cell is
///   failed with its last error. A non-retryable failure (NaN/Inf in training, a data file whose
///   checksum is wrong: deterministic given the spec, so a retry would fail the same way) fails
///   the cell at once: no retry storm.
/// - **Exactly once in the table**: the first result for a cell that is not done is persisted,
///   whatever lease it carries — a result is a pure function of the spec, so a late result of a
///   superseded attempt is as good as any — and a running attempt it supersedes is cancelled. A
///   result for a cell being committed waits for that commit and is then acknowledged without a
///   second write; a result for a done cell is acknowledged at once. Results are accepted only
///   from registered workers.
/// - **Dependencies**: an evaluate cell is blocked until its pretrain cell is done and that cell's
///   artifact is available; when the pretrain cell fails, its dependents fail naming it.
/// - **Locality**: dispatch prefers a worker that ran the same task on the same model (it holds the
///   extracted features), then one holding the model artifact (or the black-box data), then the
///   least-loaded worker; ties go to the lower registration slot (registration order, with the
///   slots of dead workers reused).
/// - **Back-pressure**: no dispatch while ``SchedulerConfiguration/resultBacklogLimit`` results
///   await their commit, or while the driver has paused dispatch.
///
/// Cost: events are O(1) amortised plus the cells they touch; ``dispatch(now:)`` is
/// O(W log W + assignments × held tokens) for W workers with credit; ``tick(now:)`` is O(W)
/// (plus O(leases) when a lease time limit is set). Cells are stored as parallel arrays
/// (≈ 100 bytes per cell with its key index), so 1,000,000 cells fit in ≈ 100 MB.
///
/// Actions produced while rebuilding (dependents of failed pre-trainings) are returned by the first event.
public struct Scheduler: Sendable {
    public let configuration: SchedulerConfiguration

    // Cells, as parallel arrays indexed by cell number.
    var keys: [CellKey] = []
    var cellIndex: [CellKey: Int32] = [:]
    var states: [CellState] = []
    var attempts: [UInt16] = []
    var dependency: [Int32] = []
    var isPretrain: [Bool] = []
    var taskOf: [Int32] = []
    var dataToken: [Int32] = []
    /// Command cells: an index into `requirements` (-1: any worker runs the cell).
    var requirementOf: [Int32] = []
    /// The distinct tag sets command cells require.
    var requirements: [Set<String>] = []
    /// Queued command cells, in queue order (lazy deletion; they are on no other queue).
    var commandQueue: [Int32] = []
    var currentLease: [LeaseID] = []
    /// Cells lost with others on a crashed worker: each runs alone until it finishes.
    var suspect: [Bool] = []
    /// Times a cell was lost alone on a worker that had not accepted it.
    var unconfirmedLosses: [UInt8] = []
    var lastErrors: [Int32: String] = [:]
    /// Pretrain cell → token of its artifact (once a result named one).
    var artifactOf: [Int32: Int32] = [:]
    /// Pretrain cell → its evaluate cells.
    var dependents: [Int32: [Int32]] = [:]
    /// Cells failed only because their pre-training failed (revived if it later succeeds).
    var failedByDependency: Set<Int32> = []
    /// Committing cell → the (worker, lease) pairs to acknowledge after its commit; the first persisted.
    var ackWaiters: [Int32: [(WorkerID, LeaseID)]] = [:]
    var counts = CellCounts()

    // Locality tokens: artifacts, (artifact, task) feature sets, black-box data.
    var tokenIDs: [String: Int32] = [:]
    /// Token → its name (the SHA-256 of an artifact, `data:…`); empty for feature tokens.
    var tokenNames: [String] = []
    var featureTokenIDs: [Int64: Int32] = [:]
    var taskIDs: [String: Int32] = [:]
    var availableArtifacts: Set<Int32> = []
    /// Artifact token → the pretrain cells that produced it.
    var producers: [Int32: [Int32]] = [:]
    var tokenCount: Int32 = 0

    // Queues (lazy deletion: an entry whose cell is no longer queued is skipped when popped).
    var globalQueue = IndexQueue()
    /// Queued suspects, in the order they were lost.
    var suspectQueue = IndexQueue()
    var localQueues: [Int32: IndexQueue] = [:]

    // Workers by slot; a dead worker's slot is reused by the next registration, so memory is
    // bounded by the most workers alive at once, however many come and go. Ties in dispatch go
    // to the lower slot.
    var workers: [WorkerRecord?] = []
    var freeWorkerSlots: [Int] = []
    var workerIndex: [WorkerID: Int] = [:]
    var aliveWorkerCount = 0

    // Leases.
    var leases: [LeaseID: LeaseRecord] = [:]
    var nextLeaseID: LeaseID
    /// Every lease this scheduler issued, by `lease − firstLeaseID`: its cell and its worker (an
    /// index into `workerNames`), so a result can be checked against who was asked for it
    /// (8 bytes per assignment).
    let firstLeaseID: LeaseID
    var issuedCell: [Int32] = []
    var issuedTo: [Int32] = []
    var workerNames: [WorkerID: Int32] = [:]

    /// The time of the first event that carried one (for ``SchedulerConfiguration/predecessorResultWindow``).
    var startedAt: SchedulerTime?
    /// A predecessor coordinator's persisted leases (``admitPredecessorLeases(_:now:)``); nil =
    /// none given, and ``SchedulerConfiguration/predecessorResultWindow`` applies instead.
    var predecessorLeases: [LeaseID: PredecessorLease]?
    /// Cells another sweep's coordinator has claimed (``holdElsewhere(_:)``): not dispatched here.
    var heldElsewhere: Set<Int32> = []
    var dispatchPaused = false
    var outbox: [SchedulerAction] = []

    struct WorkerRecord: Sendable {
        var id: WorkerID
        var slots: Int
        var credit: Int
        var lastSeen: SchedulerTime
        var lastSent: SchedulerTime
        var leases: Set<LeaseID> = []
        /// Runs a suspect alone: nothing else is assigned to it until that lease ends.
        var isolating = false
        /// Tokens held, features first in the order learned, then artifacts/data.
        var featureTokens: [Int32] = []
        var plainTokens: [Int32] = []
        var held: Set<Int32> = []
        /// Announced `commands` (``Wire/Ready/commandsCapability``): it may run command cells.
        var runsCommands = false
        /// Its `--tags`.
        var tags: Set<String> = []
    }

    struct LeaseRecord: Sendable {
        var cell: Int32
        var worker: Int
        var attempt: Int
        var issuedAt: SchedulerTime
        /// The worker showed it has the assignment (ACCEPTED, a result or a failure under it).
        var accepted = false
        /// A suspect running alone on its worker.
        var isolated = false
    }

    /// Lone losses without an acceptance after which a cell is charged an attempt anyway.
    public static let unconfirmedLossLimit = 3

    /// Builds the scheduler for a sweep, rebuilding state persisted by an earlier run.
    ///
    /// - Parameters:
    ///   - cells: every cell of the sweep (any order; dispatch follows it), read twice: the
    ///     coordinator passes its grid cells lazily mapped, so no array of 100,000s of
    ///     `ScheduledCell`s is held during the build (it made the coordinator's peak RSS).
    ///   - persisted: states loaded from the database. `leased` cells go back to the queue and
    ///     their in-flight attempt is not counted (the coordinator stopped, not the cell); `done`
    ///     and `failed` stay so (see ``SchedulerConfiguration/retryFailedCells``). Keys not in
    ///     `cells` are ignored.
    ///   - availableArtifacts: SHA-256 of artifacts already stored (uploaded), so dependents of
    ///     done pre-trainings are ready at once.
    ///   - firstLeaseID: lease ids start here; pass a value above any earlier run's (e.g. from a
    ///     database sequence) so old leases are never confused with new ones.
    public init(cells: some Collection<ScheduledCell>, persisted: [PersistedCell] = [], availableArtifacts: Set<String> = [],
                configuration: SchedulerConfiguration = SchedulerConfiguration(), firstLeaseID: LeaseID = 1) {
        self.configuration = configuration
        self.nextLeaseID = max(1, firstLeaseID)
        self.firstLeaseID = max(1, firstLeaseID)
        let n = cells.count
        keys.reserveCapacity(n)
        cellIndex.reserveCapacity(n)
        for cell in cells where cellIndex[cell.key] == nil {
            cellIndex[cell.key] = Int32(keys.count)
            keys.append(cell.key)
        }
        states = Array(repeating: .queued, count: keys.count)
        attempts = Array(repeating: 0, count: keys.count)
        dependency = Array(repeating: -1, count: keys.count)
        isPretrain = Array(repeating: false, count: keys.count)
        taskOf = Array(repeating: -1, count: keys.count)
        dataToken = Array(repeating: -1, count: keys.count)
        requirementOf = Array(repeating: -1, count: keys.count)
        currentLease = Array(repeating: 0, count: keys.count)
        suspect = Array(repeating: false, count: keys.count)
        unconfirmedLosses = Array(repeating: 0, count: keys.count)
        for sha in availableArtifacts { self.availableArtifacts.insert(token(sha)) }

        var missingDependency: [Int32: CellKey] = [:]
        for cell in cells {
            let c = cellIndex[cell.key]!
            isPretrain[Int(c)] = cell.kind == .pretrain
            if let task = cell.task { taskOf[Int(c)] = taskID(task) }
            if let data = cell.dataLocality { dataToken[Int(c)] = token("data:" + data) }
            if let requires = cell.requires { requirementOf[Int(c)] = requirementID(Set(requires)) }
            if let dep = cell.dependency {
                if let d = cellIndex[dep] {
                    dependency[Int(c)] = d
                    dependents[d, default: []].append(c)
                } else {
                    missingDependency[c] = dep
                }
            }
        }
        for record in persisted {
            guard let c = cellIndex[record.key] else { continue }
            let i = Int(c)
            attempts[i] = UInt16(clamping: max(0, record.attempts))
            if let error = record.lastError { lastErrors[c] = error }
            switch record.state {
            case .queued, .cancelled: states[i] = .queued
            case .leased:
                states[i] = .queued
                attempts[i] = attempts[i] > 0 ? attempts[i] - 1 : 0
            case .done:
                states[i] = .done
                if let artifact = record.artifact { recordArtifact(artifact, of: c) }
                if isPretrain[i], dependents[c] != nil, !isUsable(c) {
                    // Marked done without a model in the store (a forged result, a lost artifact):
                    // its dependents could never run, so it runs again.
                    states[i] = .queued
                    let reason = record.artifact.map { "its model \($0.prefix(12)) is not in the store" } ?? "it was marked done without a model"
                    lastErrors[c] = reason
                    outbox.append(.cellRequeued(cell: record.key, attempts: Int(attempts[i]), reason: "pretrain cell queued again: \(reason)"))
                }
            case .failed:
                if configuration.retryFailedCells {
                    states[i] = .queued
                    attempts[i] = 0
                } else {
                    states[i] = .failed
                }
            }
        }
        // Dependencies: block or fail evaluate cells whose pre-training is not done and usable.
        for i in 0..<keys.count where states[i] == .queued {
            let c = Int32(i)
            if let dep = missingDependency[c] {
                states[i] = .failed
                lastErrors[c] = "dependency \(dep.short) is not in this sweep"
                outbox.append(.cellFailed(cell: keys[i], attempts: Int(attempts[i]), error: lastErrors[c]!))
                continue
            }
            let d = dependency[i]
            guard d >= 0 else { continue }
            switch states[Int(d)] {
            case .done where isUsable(d): break
            case .failed:
                states[i] = .failed
                failedByDependency.insert(c)
                lastErrors[c] = dependencyFailure(d)
                outbox.append(.cellFailed(cell: keys[i], attempts: Int(attempts[i]), error: lastErrors[c]!))
            default: states[i] = .blocked
            }
        }
        for state in states { counts[state] += 1 }
        for i in 0..<keys.count where states[i] == .queued { enqueue(Int32(i)) }
    }

    /// Builds the scheduler for an expanded grid (its `maxAttempts` overrides the configuration's).
    public init(grid: ExpandedGrid, persisted: [PersistedCell] = [], availableArtifacts: Set<String> = [],
                configuration: SchedulerConfiguration = SchedulerConfiguration(), firstLeaseID: LeaseID = 1) {
        var configuration = configuration
        configuration.maxAttempts = grid.maxAttempts
        self.init(cells: grid.cells.map(ScheduledCell.init), persisted: persisted, availableArtifacts: availableArtifacts,
                  configuration: configuration, firstLeaseID: firstLeaseID)
    }

    // MARK: Inspection

    /// Cells per state.
    public var cellCounts: CellCounts { counts }
    /// Distinct cells (the cells given, each key once).
    public var cellCount: Int { keys.count }
    /// A cell's place among the cells the scheduler was built from, each key counted once (the
    /// `index` its actions carry); nil for a key not in the sweep.
    public func index(of key: CellKey) -> Int? { cellIndex[key].map { Int($0) } }
    /// Whether every cell is done or failed.
    public var isFinished: Bool { counts.unfinished == 0 }
    public func state(of key: CellKey) -> CellState? { cellIndex[key].map { states[Int($0)] } }
    /// Attempts started so far.
    public func attempts(of key: CellKey) -> Int? { cellIndex[key].map { Int(attempts[Int($0)]) } }
    public func lastError(of key: CellKey) -> String? { cellIndex[key].flatMap { lastErrors[$0] } }
    /// Whether this artifact is known to be in the store.
    public func isArtifactAvailable(_ sha256: String) -> Bool { tokenIDs[sha256].map { availableArtifacts.contains($0) } ?? false }
    /// The failed cells and their last errors, in cell order.
    public var failedCells: [(key: CellKey, error: String)] {
        states.indices.compactMap { i in
            states[i] == .failed ? (keys[i], lastErrors[Int32(i)] ?? "unknown error") : nil
        }
    }
    /// Whether a cell was lost with others on a crashed worker and now runs only alone.
    public func isSuspect(_ key: CellKey) -> Bool { cellIndex[key].map { suspect[Int($0)] } ?? false }
    /// The lease a leased cell runs under.
    public func lease(of key: CellKey) -> LeaseInfo? {
        guard let c = cellIndex[key], currentLease[Int(c)] != 0 else { return nil }
        return lease(currentLease[Int(c)])
    }
    public func lease(_ id: LeaseID) -> LeaseInfo? {
        guard let record = leases[id], let worker = workers[record.worker] else { return nil }
        return LeaseInfo(id: id, cell: keys[Int(record.cell)], worker: worker.id, attempt: record.attempt, issuedAt: record.issuedAt)
    }
    /// Registered, live workers.
    public var workerCount: Int { aliveWorkerCount }
    public func isAlive(_ worker: WorkerID) -> Bool { workerIndex[worker] != nil }
    /// The registered, live workers, in registration-slot order.
    public var aliveWorkers: [WorkerID] { workers.compactMap { $0?.id } }
    /// Remaining credit of a worker (assignments it will take now).
    public func credit(of worker: WorkerID) -> Int? { workerIndex[worker].flatMap { workers[$0]?.credit } }
    /// Leases a worker holds, in id order.
    public func leases(of worker: WorkerID) -> [LeaseID] {
        workerIndex[worker].flatMap { workers[$0]?.leases.sorted() } ?? []
    }
    /// Whether dispatch is paused by the driver (draining, database away).
    public var isDispatchPaused: Bool { dispatchPaused }
    /// Whether dispatch is held back by the result backlog.
    public var isBackPressured: Bool { counts.committing >= configuration.resultBacklogLimit }

    /// Stops (`true`) or resumes dispatch: for a drain on SIGTERM, or while the database is away.
    public mutating func setDispatchPaused(_ paused: Bool) { dispatchPaused = paused }

    // MARK: Internals shared by the event files

    mutating func drainOutbox() -> [SchedulerAction] {
        defer { outbox.removeAll(keepingCapacity: true) }
        return outbox
    }

    mutating func setState(_ c: Int32, _ state: CellState) {
        counts[states[Int(c)]] -= 1
        counts[state] += 1
        states[Int(c)] = state
    }

    mutating func token(_ name: String) -> Int32 {
        if let id = tokenIDs[name] { return id }
        let id = tokenCount
        tokenCount += 1
        tokenIDs[name] = id
        tokenNames.append(name)
        return id
    }

    mutating func taskID(_ name: String) -> Int32 {
        if let id = taskIDs[name] { return id }
        let id = Int32(taskIDs.count)
        taskIDs[name] = id
        return id
    }

    /// The token of "features of `task` extracted by the model `artifact`".
    mutating func featureToken(artifact: Int32, task: Int32) -> Int32 {
        let packed = Int64(artifact) << 32 | Int64(task)
        if let id = featureTokenIDs[packed] { return id }
        let id = tokenCount
        tokenCount += 1
        featureTokenIDs[packed] = id
        tokenNames.append("")
        return id
    }

    mutating func recordArtifact(_ sha: String, of pretrain: Int32) {
        let t = token(sha)
        if let old = artifactOf[pretrain] {
            if old == t { return }
            producers[old]?.removeAll { $0 == pretrain }
        }
        artifactOf[pretrain] = t
        producers[t, default: []].append(pretrain)
    }

    /// Whether a done pretrain cell's artifact can be fetched: a pre-training without a stored
    /// model is no use to its dependents.
    func isUsable(_ pretrain: Int32) -> Bool {
        guard let t = artifactOf[pretrain] else { return false }
        return availableArtifacts.contains(t)
    }

    func dependencyFailure(_ d: Int32) -> String {
        "dependency \(keys[Int(d)].short) (\(requirementOf[Int(d)] >= 0 ? "command" : "pretrain")) failed: \(lastErrors[d] ?? "unknown error")"
    }

    /// The locality tokens of a cell, strongest first.
    mutating func localityTokens(_ c: Int32) -> (feature: Int32, plain: Int32) {
        let i = Int(c)
        if dataToken[i] >= 0 { return (-1, dataToken[i]) }
        let d = dependency[i]
        guard d >= 0, let artifact = artifactOf[d] else { return (-1, -1) }
        return (taskOf[i] >= 0 ? featureToken(artifact: artifact, task: taskOf[i]) : -1, artifact)
    }

    /// Puts a queued cell on the global queue and on the local queues of its locality tokens (a
    /// suspect on the suspect queue only).
    mutating func enqueue(_ c: Int32) {
        if requirementOf[Int(c)] >= 0 {
            // Only some workers may take it, so it waits on a queue of its own (and never as a
            // suspect: its command runs in a process of its own, which cannot take the worker down).
            commandQueue.append(c)
            return
        }
        if suspect[Int(c)] {
            suspectQueue.push(c)
            return
        }
        globalQueue.push(c)
        let (feature, plain) = localityTokens(c)
        if feature >= 0 { localQueues[feature, default: IndexQueue()].push(c) }
        if plain >= 0 { localQueues[plain, default: IndexQueue()].push(c) }
    }
}
