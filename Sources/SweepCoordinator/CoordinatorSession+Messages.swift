package import SweepKit
import SweepStore

extension CoordinatorSession {
    /// A message from a worker.
    package mutating func received(_ message: WireMessage, from worker: WorkerID, now: SchedulerTime) {
        switch message {
        case .ready(let ready):
            register(worker, ready, now: now)
        case .heartbeat, .drain:
            perform(scheduler.heard(from: worker, now: now), now: now)
        case .credit(let credit):
            perform(scheduler.credit(worker, Int(credit.slots), now: now), now: now)
        case .accepted(let accepted):
            perform(scheduler.accepted(worker, leases: accepted.leases, now: now), now: now)
        case .result(let batch):
            for report in batch.results {
                CoordinatorMetrics.resultArrived(report.lease, scheduler: scheduler, cells: cells, now: now)
                take(report, from: worker, now: now)
            }
        case .failure(let failure):
            // A model that could not be had is not the cell's fault: its pre-training runs again
            // when the store lacks it (``stored(_:now:)``), and this attempt is not charged.
            perform(scheduler.failure(worker, cell: failure.cell, lease: failure.lease, retryable: failure.retryable,
                                      message: "\(failure.reason): \(failure.message)",
                                      countsAttempt: failure.reason != .artifactUnavailable, now: now), now: now)
        case .artifactRequest, .artifactFetch, .artifactUpload, .artifactUnavailable, .commandLog:
            artifactMessage(message, from: worker, now: now)
        case .shutdown(let shutdown):
            // Only a registered worker's leaving is news (an unknown peer's shutdown is not logged).
            if scheduler.isAlive(worker), roster.leaveIsNews(worker) {
                logger.info("worker \(worker) left: \(shutdown.reason)")
            }
            perform(scheduler.workerLeft(worker, reason: shutdown.reason, now: now), now: now)
        case .welcome, .assign, .ack, .cancel, .artifact, .artifactStored, .reregister:
            badFrame("\(message.kind) from a worker (wrong direction)")
        }
    }

    /// READY: a worker of this build is registered and welcomed; one of another build is refused.
    private mutating func register(_ worker: WorkerID, _ ready: Wire.Ready, now: SchedulerTime) {
        if let reason = WorkerRoster.incompatibility(of: ready)
            ?? Wire.Ready.artifactFolderMismatch(of: ready.capabilities, coordinatorIdentity: configuration.artifactFolderIdentity) {
            // SHUTDOWN, nothing registered, no cell sent; logged and recorded once per worker id.
            outbox.append(.send(.shutdown(Wire.Shutdown(reason: reason)), to: worker))
            guard roster.refuse(worker) else { return }
            logger.warning("refused worker \(worker) on \(ready.host), pid \(ready.pid): \(reason)")
            outbox.append(.store(.event(kind: "worker_refused", cell: nil, worker: worker.description, message: reason, detail: nil)))
            return
        }
        let known = scheduler.isAlive(worker)
        perform(scheduler.workerReady(worker, slots: Int(ready.slots), artifacts: ready.artifacts.map(\.hex),
                                                capabilities: ready.capabilities, now: now), now: now)
        outbox.append(.send(.welcome(Wire.Welcome(session: session, heartbeatIntervalMilliseconds: UInt32(clamping: configuration.heartbeatMilliseconds),
                                                  liveness: UInt32(clamping: configuration.liveness))), to: worker))
        // Once per registration: a peer repeating ready must not become a stream of log lines and
        // writes; nor may one that registers and leaves over and over (``WorkerRoster``).
        guard !known, roster.joinIsNews(worker) else { return }
        logger.info("worker \(worker) joined: \(ready.slots) slots on \(ready.host), pid \(ready.pid)")
        var record = WorkerRecord(id: worker.description, host: ready.host, slots: Int(ready.slots), version: ready.softwareVersion)
        if record.id.isEmpty { record.id = "worker" }
        outbox.append(.store(.worker(record)))
    }

    /// RESULT: through the door (``ResultDoor``) to the scheduler, or refused as an invalid result.
    private mutating func take(_ report: Wire.ResultReport, from worker: WorkerID, now: SchedulerTime) {
        var refusal: String?
        if let index = scheduler.index(of: report.cell) {
            // With a shared folder, a model not uploaded may be there: the store thread checks it.
            let shared = configuration.artifactFolder != nil
            refusal = ResultDoor.refusal(of: report.result, for: cells[index], uploads: uploads) { shared || scheduler.isArtifactAvailable($0) }
        }
        if let refusal {
            perform(scheduler.invalidResult(worker, cell: report.cell, lease: report.lease, reason: "result refused: \(refusal)", now: now), now: now)
        } else {
            perform(scheduler.result(worker, cell: report.cell, lease: report.lease, result: report.result, now: now), now: now)
        }
        // A model upload that this result did not take (its cell was done or committing
        // already, or the result was refused) is not needed: it must not hold the upload caps.
        if let sha = report.result.artifactSHA256, let digest = uploads.discard(sha, of: worker) {
            outbox.append(.store(.artifact(.abandon(digest))))
        }
    }
}
