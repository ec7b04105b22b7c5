package import Logging
import NoisyCore
package import SweepKit
import SweepStore

/// The coordinator's protocol above the ``Scheduler``: what a message from a worker, a store
/// completion, a tick or a stop does, as a value the socket thread owns. It answers with
/// ``CoordinatorSession/Output``s (a message to send, a job for the store thread), gathered in
/// ``outbox`` in the order they must happen; the driver (``CoordinatorLoop``) performs them. No
/// sockets, threads or clocks: tests drive it with messages and times.
///
/// Its parts: the scheduler (cells, workers, leases, the one cell index and artifact map),
/// ``UploadTable`` (models being uploaded), ``ResultDoor`` (results refused before the scheduler),
/// ``WorkerRoster`` (churn and refused peers), ``AckBatch`` (one ACK per worker per round).
package struct CoordinatorSession {
    /// What the driver does.
    package enum Output {
        case send(WireMessage, to: WorkerID)
        case store(StoreJob)
    }

    package var scheduler: Scheduler
    /// The sweep's cells, at the scheduler's indices (their specs go out in ASSIGN).
    package let cells: [GridCell]
    package let configuration: CoordinatorConfiguration
    /// This run's session id (WELCOME, REREGISTER).
    package let session: UInt64
    let logger: Logger
    package var uploads = UploadTable()
    package var roster = WorkerRoster()
    package var acks = AckBatch()
    /// The text of the worker ids in result rows, made once per worker, not once per result.
    var workerNames = WorkerNameCache()
    /// What to do, in order; the driver performs and empties it.
    package var outbox: [Output] = []

    /// Assignments sent in this run, and when the first went out (throughput is measured from there).
    package private(set) var assigned = 0
    package private(set) var firstAssignTime: SchedulerTime?
    package private(set) var badFrames = PowerOfTwoCount()
    /// Command cells waiting for a worker that may run them (``noteCommandWait(now:)``).
    package var commandWait = CommandWaitNote()

    /// - Parameters:
    ///   - cells: the sweep's cells; `scheduler` was built from them (a key given twice is kept once,
    ///     at its first place, as the scheduler keeps it).
    package init(scheduler: Scheduler, cells: [GridCell], configuration: CoordinatorConfiguration, session: UInt64, logger: Logger) {
        self.scheduler = scheduler
        if cells.count == scheduler.cellCount {
            self.cells = cells
        } else {
            var seen = Set<CellKey>()
            self.cells = cells.filter { seen.insert($0.key).inserted }
        }
        self.configuration = configuration
        self.session = session
        self.logger = logger
    }

    // MARK: Events other than messages

    /// Time passes: liveness, heartbeats, lease limits, dispatch.
    package mutating func tick(now: SchedulerTime) {
        perform(scheduler.tick(now: now), now: now)
        noteCommandWait(now: now)
    }

    /// Assigns what credit allows.
    package mutating func dispatch(now: SchedulerTime) { perform(scheduler.dispatch(now: now), now: now) }

    /// A send found the worker's connection gone (see ``Scheduler/connectionGone(_:now:)``).
    package mutating func connectionGone(_ worker: WorkerID, now: SchedulerTime) {
        perform(scheduler.connectionGone(worker, now: now), now: now)
    }

    /// A stop signal: no more dispatch, and every worker is asked to drain within the grace period.
    package mutating func beginStop() {
        scheduler.setDispatchPaused(true)
        let grace = UInt32(clamping: configuration.shutdownGraceMilliseconds)
        for worker in scheduler.aliveWorkers { outbox.append(.send(.drain(Wire.Drain(graceMilliseconds: grace)), to: worker)) }
    }

    /// One ACK message per worker for the cells acknowledged since the last flush.
    package mutating func flushAcks() {
        for (worker, ack) in acks.flush() { outbox.append(.send(.ack(ack), to: worker)) }
    }

    /// Counts a frame dropped as undecodable or misdirected (logged per power of two).
    package mutating func badFrame(_ why: String) {
        if badFrames.increment() {
            logger.warning("dropped a bad frame (\(badFrames.value) so far): \(why)")
        }
    }

    // MARK: Store completions

    /// What the store thread finished.
    package mutating func stored(_ completion: StoreCompletion, now: SchedulerTime) {
        switch completion {
        case .committed(let keys):
            perform(scheduler.committed(keys, now: now), now: now)
        case .lost(let keys, let reason):
            logger.error("results were not stored; their cells are queued again", metadata: ["cells": "\(keys.count)", "reason": "\(reason)"])
            perform(scheduler.resultsLost(keys, now: now), now: now)
        case .artifactStored(let sha):
            perform(scheduler.artifactAvailable(sha, now: now), now: now)
        case .artifact(let completion):
            artifactCompleted(completion, now: now)
        }
    }

    // MARK: Scheduler actions

    /// Performs the scheduler's actions in order, except that the assignments of one call go out
    /// together at its end, one ASSIGN message per worker (``AssignRound``).
    mutating func perform(_ actions: [SchedulerAction], now: SchedulerTime) {
        var assignments = AssignRound()
        for action in actions {
            switch action {
            case .assign(let worker, let cell, let lease, let attempt, let index, let requiredArtifact):
                let required = requiredArtifact.flatMap(ArtifactDigest.init(hex:)).map { [$0] } ?? []
                assigned += 1
                if firstAssignTime == nil { firstAssignTime = now }
                let leaseMilliseconds = UInt32(clamping: configuration.heartbeatMilliseconds * Int64(configuration.liveness))
                assignments.add(Wire.Assign(cell: cell, attempt: UInt32(clamping: attempt), lease: lease,
                                            leaseMilliseconds: leaseMilliseconds, requiredArtifacts: required,
                                            specJSON: cells[index].canonicalJSON), for: worker)
            case .heartbeat(let worker):
                outbox.append(.send(.heartbeat, to: worker))
            case .persistResult(let worker, let cell, _, let index, let result):
                let gridCell = cells[index]
                if gridCell.kind == .pretrain {
                    let sha = result.artifactSHA256
                    var kind = "model"
                    if case .command = gridCell.spec { kind = "command-output" }
                    outbox.append(.store(.pretrainDone(cell, artifact: sha, uploaded: sha.map { uploads.take($0) } ?? false, kind: kind)))
                } else if let record = ResultRecord.of(cell: gridCell, result: result, worker: workerNames.name(of: worker)) {
                    outbox.append(.store(.result(cell, record)))
                }
            case .ack(let worker, let cell, _):
                acks.add(cell, for: worker)
            case .cancel(let worker, let cell, let lease):
                outbox.append(.send(.cancel(Wire.Cancel(cell: cell, lease: lease)), to: worker))
            case .cellRequeued(let cell, let attempts, let reason):
                logger.info("cell \(cell.short) queued again after attempt \(attempts): \(reason)")
                outbox.append(.store(.cellOutcome(cell, state: .queued, attempts: attempts, error: reason)))
            case .cellFailed(let cell, let attempts, let error):
                logger.warning("cell \(cell.short) failed after \(attempts) attempts: \(error)")
                outbox.append(.store(.cellOutcome(cell, state: .failed, attempts: attempts, error: error)))
            case .workerLost(let worker, let reason):
                CoordinatorMetrics.workerLost(reason: reason)
                abandonUploads(of: worker)
                logger.warning("\(reason)")
                outbox.append(.store(.event(kind: "worker_lost", cell: nil, worker: worker.description, message: reason, detail: nil)))
            case .workerLeft(let worker, let reason):
                abandonUploads(of: worker)
                // A peer that joins and leaves over and over is news only now and then.
                if roster.lastLeaveWasNews(worker) {
                    outbox.append(.store(.event(kind: "worker_left", cell: nil, worker: worker.description, message: reason, detail: nil)))
                }
            case .unknownWorker(let worker):
                outbox.append(.send(.reregister(Wire.Reregister(session: session)), to: worker))
            case .rejected(_, let cell, let reason):
                badFrame("cell \(cell.short): \(reason)")
            }
        }
        for (worker, batch) in assignments.messages() { outbox.append(.send(.assign(batch), to: worker)) }
    }
}
