import Foundation
import Logging
import NoisyCore
import SweepKit
import SweepStore
import ZeroMQ

/// The socket thread: one ROUTER, one poll loop, the scheduler, and the traffic to the store thread.
///
/// Each round: `zmq_poll` on the ROUTER, the store's wake pipe and the signal pipe, with a timeout
/// of the time left to the next tick; then every message waiting on the ROUTER (up to a bound per
/// round), every store completion, a tick when due (liveness, heartbeats), a dispatch, and one
/// ACK message per worker for the cells committed this round.
final class CoordinatorLoop {
    let configuration: CoordinatorConfiguration
    let logger: Logger
    let sweepID: Int64
    var scheduler: Scheduler
    let cells: [GridCell]
    var cellIndex: [CellKey: Int32] = [:]
    /// Pretrain cell → SHA-256 of its model artifact.
    var artifactOf: [CellKey: String]
    let context: Context
    let router: Socket
    /// CURVE and the allow-list, when configured.
    let gate: CurveGate?
    let poller = Poller()
    let wake = WakePipe()
    let signals = WakePipe()
    let store: StoreWriter
    let session = UInt64.random(in: 1...UInt64.max)
    let onBound: (@Sendable (String) -> Void)?
    /// The sweep's owner claim: dispatch only while held; leases are persisted through it (OwnerClaim+Loop.swift).
    let claim: OwnerClaim?

    /// Artifact uploads in progress and complete uploads waiting for their pretrain result, within caps.
    var uploads = UploadTable()
    /// Workers that sent ready in this session.
    var registered: Set<WorkerID> = []
    /// Joins and leaves per peer, for ``churnIsNews(_:leaving:count:)``.
    var churn: [WorkerID: (joins: Int, leaves: Int)] = [:]
    /// Workers refused for another result format (logged once each).
    var incompatible: Set<WorkerID> = []
    var pendingAcks: [WorkerID: [CellKey]] = [:]
    var unreachable: [WorkerID] = []
    /// The result being handled (its payload goes into the write buffer on `.persistResult`).
    var currentResult: Wire.ResultReport?

    var assigned = 0
    /// When the first assignment went out (throughput is measured from there).
    var firstAssignTime: Int64?
    var committed = 0
    var badFrames = 0
    var badFramesLogged = 0
    /// Messages dropped because a peer's send queue was full (logged per power of two).
    var droppedSends = 0
    var interrupted = false
    var stopDeadline: Int64?
    let startTime = monotonicMilliseconds()
    let progress: ProgressReporter

    /// - Parameters:
    ///   - cells: the sweep's cells (their specs go out in ASSIGN); `scheduler` was built from them.
    ///   - artifacts: pretrain cell → SHA-256 of its model, as rebuilt from the database.
    ///   - onBound: called once the ROUTER is bound, with the endpoint workers connect to.
    init(configuration: CoordinatorConfiguration, logger: Logger, database: SweepDatabase, sweepID: Int64, cells: [GridCell],
         scheduler: Scheduler, artifacts: [CellKey: String], onBound: (@Sendable (String) -> Void)?, claim: OwnerClaim? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.sweepID = sweepID
        self.scheduler = scheduler
        self.cells = cells
        cellIndex.reserveCapacity(cells.count)
        for (i, cell) in cells.enumerated() where cellIndex[cell.key] == nil { cellIndex[cell.key] = Int32(i) }
        artifactOf = artifacts
        self.onBound = onBound
        self.claim = claim
        store = StoreWriter(database: database, sweepID: sweepID, batchLimit: configuration.resultBatchLimit,
                            wake: wake, logger: logger)
        progress = ProgressReporter(mode: configuration.progress, logInterval: configuration.logIntervalSeconds,
                                    total: scheduler.cellCounts.total, alreadyDone: scheduler.cellCounts.done)

        context = try Context(ioThreads: 1)
        router = try Socket(context, type: .router)
        try router.set(.routerMandatory, true)
        try router.set(.routerHandover, true)
        try router.set(.maxMessageSize, Int64(WireFormat.maxFrameBytes))
        try router.set(.sendHighWaterMark, 200_000)
        try router.set(.receiveHighWaterMark, 200_000)
        try router.set(.tcpKeepalive, 1)
        if let curve = configuration.curve { gate = try CurveGate(curve, context: context, router: router) } else { gate = nil }
        try router.bind(configuration.bind)
        try poller.register(router)
        poller.register(fileDescriptor: wake.readFD)
        poller.register(fileDescriptor: signals.readFD)
    }

    /// The endpoint workers should connect to.
    var connectEndpoint: String {
        var endpoint = (try? router.lastEndpoint) ?? configuration.bind
        endpoint = endpoint.replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
        endpoint = endpoint.replacingOccurrences(of: "tcp://*:", with: "tcp://127.0.0.1:")
        return endpoint
    }

    func run() throws -> CoordinatorOutcome {
        let endpoint = (try? router.lastEndpoint) ?? configuration.bind
        if gate == nil && !EndpointScope.isLoopback(endpoint) {
            logger.warning("listening on \(endpoint) without CURVE: any host that reaches it can join as a worker, read cell specs and write results (docs/security.md: --curve-key, --allow-keys)")
        }
        if let curve = configuration.curve { logger.info("\(curve)") }
        logger.info("listening on \(endpoint) (session \(String(session, radix: 16)))")
        StopSignal.install(signals)
        store.start()
        // Local workers only when there is something to run (a finished sweep submitted again runs nothing).
        if !scheduler.isFinished { onBound?(connectEndpoint) }

        let tickInterval = max(5, min(250, configuration.heartbeatMilliseconds / 4))
        var nextTick = monotonicMilliseconds()
        var nextProgress = monotonicMilliseconds()
        let initialActions = scheduler.tick(now: SchedulerTime(milliseconds: nextTick))
        perform(initialActions)

        while true {
            var now = monotonicMilliseconds()
            let timeout = Int(max(0, min(nextTick, nextProgress) - now))
            let ready = try poller.poll(timeout: timeout)
            for item in ready {
                switch item.index {
                case 0: try receiveMessages()
                case 1: wake.drain()
                default:
                    signals.drain()
                    beginStop(signal: StopSignal.received)
                }
            }
            handleCompletions()
            applyClaim()
            now = monotonicMilliseconds()
            let time = SchedulerTime(milliseconds: now)
            if now >= nextTick {
                perform(scheduler.tick(now: time))
                nextTick = now + tickInterval
            } else {
                perform(scheduler.dispatch(now: time))
            }
            settleUnreachable(time)
            flushAcks()
            if now >= nextProgress {
                publishProgress()
                nextProgress = now + 1_000
                if let refused = gate?.reportRefusals(now: now, logger: logger) {
                    store.enqueue(.event(kind: "connection_refused", cell: nil, worker: nil, message: refused.message, detail: refused.detail))
                }
            }
            if isFinished(now: now) { break }
        }
        publishProgress()
        progress.finish()
        // Stopped by a signal while the database is away: the grace period is the promise (each
        // write would otherwise hold the exit for its reconnect attempts, seconds each).
        store.stop(timeout: interrupted && store.isDatabaseAway ? 2 : 60)
        sayGoodbye(reason: interrupted ? "coordinator stopped" : "sweep finished", limit: 2_000)
        // Let the shutdown messages leave before the socket goes: the context's termination (when
        // this loop is released) waits up to the linger. No zmq_ctx_shutdown here: it cut the
        // linger short, and workers never received SHUTDOWN.
        try? router.set(.linger, 2_000)
        router.close()
        gate?.stop()
        let counts = scheduler.cellCounts
        var outcome = CoordinatorOutcome(
            sweepID: sweepID, total: counts.total, done: counts.done, failed: counts.failed, assigned: assigned,
            committed: store.committedCount, seconds: Double(monotonicMilliseconds() - (firstAssignTime ?? startTime)) / 1000,
            badFrames: badFrames, interrupted: interrupted, failures: scheduler.failedCells.prefix(50).map { ($0.key.hex, $0.error) })
        outcome.refusedConnections = gate?.refusedCount ?? 0
        outcome.databaseReachable = !store.isDatabaseAway
        outcome.inserted = store.insertedCount
        return outcome
    }

    func isFinished(now: Int64) -> Bool {
        if interrupted {
            let counts = scheduler.cellCounts
            if counts.leased == 0 && counts.committing == 0 && store.isIdle { return true }
            return now >= (stopDeadline ?? now)
        }
        return scheduler.isFinished && store.isIdle && pendingAcks.isEmpty
    }

    func beginStop(signal: Int32) {
        if interrupted {
            logger.warning("second stop signal: leaving now")
            stopDeadline = 0
            return
        }
        interrupted = true
        stopDeadline = monotonicMilliseconds() + configuration.shutdownGraceMilliseconds
        scheduler.setDispatchPaused(true)
        logger.notice("signal \(signal): no more dispatch; waiting up to \(configuration.shutdownGraceMilliseconds) ms for running cells, then flushing results")
        for worker in registered {
            send(.drain(Wire.Drain(graceMilliseconds: UInt32(clamping: configuration.shutdownGraceMilliseconds))), to: worker)
        }
    }

    // MARK: Receiving

    func receiveMessages() throws {
        for _ in 0..<20_000 {
            let frames: [Frame]?
            do {
                frames = try router.receiveMultipart(dontWait: true, maxFrames: 2)
            } catch let error as ZeroMQError where error.code == ZeroMQError.Code.messageTooLong {
                countBadFrame("a message of more than 2 frames")
                continue
            }
            guard let frames else { return }
            guard frames.count == 2, !frames[0].isEmpty else {
                countBadFrame("a message of \(frames.count) frames")
                continue
            }
            let message: WireMessage
            do {
                message = try WireMessage(decoding: frames[1])
            } catch {
                countBadFrame("\(error)")
                continue
            }
            handle(message, from: WorkerID(bytes: frames[0]))
        }
    }

    func handle(_ message: WireMessage, from worker: WorkerID) {
        let now = SchedulerTime(milliseconds: monotonicMilliseconds())
        switch message {
        case .ready(let ready):
            guard ready.capabilities.contains(Wire.Ready.resultFormatCapability) else {
                // Another build: its numbers would land under keys that promise this build's.
                refuseIncompatible(worker, ready)
                return
            }
            let known = registered.insert(worker).inserted == false
            perform(scheduler.workerReady(worker, slots: Int(ready.slots), artifacts: ready.artifacts.map(\.hex), now: now))
            send(.welcome(Wire.Welcome(session: session, heartbeatIntervalMilliseconds: UInt32(clamping: configuration.heartbeatMilliseconds),
                                       liveness: UInt32(clamping: configuration.liveness))), to: worker)
            // Once per registration: a peer repeating ready must not become a stream of log lines and
            // writes; nor may one that registers and leaves over and over (see ``churnIsNews(_:)``).
            guard !known, churnIsNews(worker) else { return }
            logger.info("worker \(worker) joined: \(ready.slots) slots on \(ready.host), pid \(ready.pid)")
            var record = WorkerRecord(id: worker.description, host: ready.host, slots: Int(ready.slots), version: ready.softwareVersion)
            if record.id.isEmpty { record.id = "worker" }
            store.enqueue(.worker(record))
        case .heartbeat, .drain, .artifactUnavailable:
            perform(scheduler.heard(from: worker, now: now))
        case .credit(let credit):
            perform(scheduler.credit(worker, Int(credit.slots), now: now))
        case .accepted(let accepted):
            perform(scheduler.accepted(worker, leases: accepted.leases, now: now))
        case .result(let report):
            if let problem = checkAtTheDoor(report) {
                perform(scheduler.invalidResult(worker, cell: report.cell, lease: report.lease, reason: "result refused: \(problem)", now: now))
            } else {
                currentResult = report
                perform(scheduler.result(worker, cell: report.cell, lease: report.lease, artifact: report.result.artifactSHA256, now: now))
                currentResult = nil
            }
            // A model upload that this result did not take (its cell was done or committing
            // already, or the result was refused) is not needed: it must not hold the upload caps.
            if let sha = report.result.artifactSHA256 { uploads.discard(sha, of: worker) }
        case .failure(let failure):
            // A model that could not be had is not the cell's fault: its pre-training runs again
            // when the store lacks it (``handleCompletions()``), and this attempt is not charged.
            perform(scheduler.failure(worker, cell: failure.cell, lease: failure.lease, retryable: failure.retryable,
                                      message: "\(failure.reason): \(failure.message)",
                                      countsAttempt: failure.reason != .artifactUnavailable, now: now))
        case .artifactRequest(let request):
            perform(scheduler.heard(from: worker, now: now))
            guard registered.contains(worker) else { return }
            store.enqueue(.fetchArtifact(request.digest, for: worker))
        case .artifactUpload(let chunk):
            perform(scheduler.heard(from: worker, now: now))
            guard registered.contains(worker) else { return }
            receiveUpload(chunk, from: worker, now: now)
        case .shutdown(let shutdown):
            // Only a registered worker's leaving is news (an unknown peer's shutdown is not logged).
            if registered.remove(worker) != nil, churnIsNews(worker, leaving: true) {
                logger.info("worker \(worker) left: \(shutdown.reason)")
            }
            perform(scheduler.workerLeft(worker, now: now))
        case .welcome, .assign, .ack, .cancel, .artifact, .reregister:
            countBadFrame("\(message.kind) from a worker (wrong direction)")
        }
    }

    /// Adds an upload chunk (``UploadTable``: a refused one is a bad frame); a complete model
    /// makes its sender a holder for locality.
    func receiveUpload(_ chunk: Wire.ArtifactChunk, from worker: WorkerID, now: SchedulerTime) {
        switch uploads.add(chunk, from: worker) {
        case .incomplete: break
        case .refused(let reason): countBadFrame(reason)
        case .complete: perform(scheduler.workerHolds(worker, artifact: chunk.digest.hex, now: now))
        }
    }

    // MARK: Store completions

    func handleCompletions() {
        let now = SchedulerTime(milliseconds: monotonicMilliseconds())
        for completion in store.takeCompletions() {
            switch completion {
            case .committed(let keys):
                committed += keys.count
                perform(scheduler.committed(keys, now: now))
            case .lost(let keys, let reason):
                logger.error("\(keys.count) results were not stored (\(reason)); their cells are queued again")
                perform(scheduler.resultsLost(keys, now: now))
            case .artifactStored(let sha):
                perform(scheduler.artifactAvailable(sha, now: now))
            case .artifactFetched(let digest, let worker, let bytes):
                guard let bytes else {
                    send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: "not stored")), to: worker)
                    // A model a done pre-training made is gone: that pre-training runs again.
                    perform(scheduler.artifactMissing(digest.hex, now: now))
                    continue
                }
                do {
                    for chunk in try Wire.ArtifactChunk.chunks(of: bytes, digest: digest) { send(.artifact(chunk), to: worker) }
                } catch {
                    send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: "\(error)")), to: worker)
                }
            }
        }
    }

    // MARK: Actions

    func perform(_ actions: [SchedulerAction]) {
        for action in actions {
            switch action {
            case .assign(let worker, let cell, let lease, let attempt):
                guard let i = cellIndex[cell] else { continue }
                let gridCell = cells[Int(i)]
                var required: [ArtifactDigest] = []
                if let dependency = gridCell.dependency, let sha = artifactOf[dependency], let digest = ArtifactDigest(hex: sha) {
                    required.append(digest)
                }
                assigned += 1
                claim?.recordLease(worker: worker, lease: lease, cell: cell, attempt: attempt)
                if firstAssignTime == nil { firstAssignTime = monotonicMilliseconds() }
                send(.assign(Wire.Assign(cell: cell, attempt: UInt32(clamping: attempt), lease: lease,
                                         leaseMilliseconds: UInt32(clamping: configuration.heartbeatMilliseconds * Int64(configuration.liveness)),
                                         requiredArtifacts: required, specJSON: gridCell.canonicalJSON)), to: worker)
            case .heartbeat(let worker):
                send(.heartbeat, to: worker)
            case .persistResult(let worker, let cell, _):
                guard let report = currentResult, report.cell == cell, let i = cellIndex[cell] else { continue }
                let gridCell = cells[Int(i)]
                if gridCell.kind == .pretrain {
                    let sha = report.result.artifactSHA256
                    if let sha { artifactOf[cell] = sha }
                    let bytes = sha.flatMap { uploads.take($0) }
                    store.enqueue(.pretrainDone(cell, artifact: sha, bytes: bytes))
                } else if let record = ResultRecord.of(cell: gridCell, result: report.result, worker: worker.description) {
                    store.enqueue(.result(cell, record))
                }
            case .ack(let worker, let cell, _):
                pendingAcks[worker, default: []].append(cell)
            case .cancel(let worker, let cell, let lease):
                send(.cancel(Wire.Cancel(cell: cell, lease: lease)), to: worker)
            case .cellRequeued(let cell, let attempts, let reason):
                logger.info("cell \(cell.short) queued again after attempt \(attempts): \(reason)")
                store.enqueue(.cellOutcome(cell, state: .queued, attempts: attempts, error: reason))
            case .cellFailed(let cell, let attempts, let error):
                logger.warning("cell \(cell.short) failed after \(attempts) attempts: \(error)")
                store.enqueue(.cellOutcome(cell, state: .failed, attempts: attempts, error: error))
            case .workerLost(let worker, let reason):
                registered.remove(worker)
                uploads.drop(of: worker)
                logger.warning("\(reason)")
                store.enqueue(.event(kind: "worker_lost", cell: nil, worker: worker.description, message: reason, detail: nil))
            case .workerLeft(let worker, let reason):
                registered.remove(worker)
                uploads.drop(of: worker)
                // A peer that joins and leaves over and over is news only now and then.
                if churnIsNews(worker, leaving: true, count: false) {
                    store.enqueue(.event(kind: "worker_left", cell: nil, worker: worker.description, message: reason, detail: nil))
                }
            case .unknownWorker(let worker):
                send(.reregister(Wire.Reregister(session: session)), to: worker)
            case .rejected(_, let cell, let reason):
                countBadFrame("cell \(cell.short): \(reason)")
            }
        }
    }

    func flushAcks() {
        guard !pendingAcks.isEmpty else { return }
        for (worker, keys) in pendingAcks {
            var start = 0
            while start < keys.count {
                let end = min(keys.count, start + WireFormat.maxAckKeys)
                send(.ack(Wire.Ack(cells: Array(keys[start..<end]))), to: worker)
                start = end
            }
        }
        pendingAcks.removeAll(keepingCapacity: true)
    }

    func send(_ message: WireMessage, to worker: WorkerID) {
        let frame: [UInt8]
        do {
            frame = try message.encoded()
        } catch {
            logger.error("cannot encode \(message.kind) for \(worker): \(error)")
            return
        }
        do {
            if try !router.send([worker.bytes, frame], dontWait: true) {
                // A peer that does not read must not turn into a line per message.
                droppedSends += 1
                if droppedSends & (droppedSends - 1) == 0 {
                    logger.warning("send queue to \(worker) is full: \(message.kind) dropped (\(droppedSends) dropped so far)")
                }
            }
        } catch let error as ZeroMQError where error.isHostUnreachable {
            unreachable.append(worker)
        } catch {
            logger.error("sending \(message.kind) to \(worker) failed: \(error)")
        }
    }

    /// Workers whose connection is gone: lost, as if silent (their cells are charged by guilt).
    func settleUnreachable(_ now: SchedulerTime) {
        while let worker = unreachable.popLast() {
            guard registered.remove(worker) != nil else { continue }
            // A vanished connection is a crash until shown otherwise, as when liveness declares a
            // worker dead: its cells are charged by guilt (Scheduler, "Guilt"); one `worker_lost`
            // event and one log line come from the scheduler's action.
            perform(scheduler.workerLost(worker, reason: "crashed: its connection is gone", now: now))
        }
    }

    func countBadFrame(_ why: String) {
        badFrames += 1
        // A summary per power of two, not a line per frame.
        if badFrames & (badFrames - 1) == 0 {
            logger.warning("dropped a bad frame (\(badFrames) so far): \(why)")
        }
    }
}
