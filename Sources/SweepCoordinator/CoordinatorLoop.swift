import Foundation
import SweepRuntime
import Logging
import SweepKit
import SweepStore
import ZeroMQ

/// The socket thread's driver: polls the ``CoordinatorSocket``, feeds messages, store completions,
/// ticks and stop signals to the ``CoordinatorSession``, and performs what it answers (sends, store
/// jobs). The protocol lives in the session; this is I/O and the order of a round.
///
/// Each round: `zmq_poll` on the ROUTER, the store's wake pipe and the signal pipe, with a timeout
/// of the time left to the next tick; then every message waiting on the ROUTER (up to a bound per
/// round), every store completion, a tick when due (liveness, heartbeats) or else a dispatch, the
/// workers whose connection is gone, and one ACK message per worker for the cells committed this round.
final class CoordinatorLoop {
    let configuration: CoordinatorConfiguration
    let logger: Logger
    let sweepID: Int64
    var session: CoordinatorSession
    let socket: CoordinatorSocket
    let store: StoreWriter
    let progress: ProgressReporter
    let onBound: (@Sendable (String) -> Void)?
    /// Messages taken per round at most, so completions and ticks are not starved.
    static let messagesPerRound = 20_000
    /// The sweep's owner claim: dispatch only while held; leases are persisted through it (OwnerClaim+Loop.swift).
    let claim: OwnerClaim?

    /// The store jobs of one ``performOutputs()``, handed over together.
    private var storeJobs: [StoreJob] = []
    var interrupted = false
    var stopDeadline: Int64?
    let startTime = monotonicMilliseconds()

    /// - Parameters:
    ///   - cells: the sweep's cells (their specs go out in ASSIGN); `scheduler` was built from them.
    ///   - onBound: called once the ROUTER is bound, with the endpoint workers connect to.
    init(configuration: CoordinatorConfiguration, logger: Logger, database: SweepDatabase, sweepID: Int64, cells: [GridCell],
         scheduler: Scheduler, onBound: (@Sendable (String) -> Void)?, claim: OwnerClaim? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.sweepID = sweepID
        self.onBound = onBound
        socket = try CoordinatorSocket(configuration: configuration, logger: logger)
        session = CoordinatorSession(scheduler: scheduler, cells: cells, configuration: configuration,
                                     session: UInt64.random(in: 1...UInt64.max), logger: logger)
        self.claim = claim
        store = StoreWriter(database: database, sweepID: sweepID, batchLimit: configuration.resultBatchLimit,
                            wake: socket.wake, logger: logger, artifactFolder: configuration.artifactFolder)
        progress = ProgressReporter(mode: configuration.progress, logInterval: configuration.logIntervalSeconds,
                                    total: scheduler.cellCounts.total, alreadyDone: scheduler.cellCounts.done)
    }

    func run() throws -> CoordinatorOutcome {
        let endpoint = socket.boundEndpoint
        if socket.gate == nil && !EndpointScope.isLoopback(endpoint) {
            logger.warning("listening on \(endpoint) without CURVE: any host that reaches it can join as a worker, read cell specs and write results (docs/security.md: --curve-key, --allow-keys)")
        }
        if let curve = configuration.curve { logger.info("\(curve)") }
        logger.info("listening on \(endpoint) (session \(String(session.session, radix: 16)))")
        StopSignal.install(socket.signals)
        store.start()
        // Local workers only when there is something to run (a finished sweep submitted again runs nothing).
        if !session.scheduler.isFinished { onBound?(socket.connectEndpoint) }

        let tickInterval = max(5, min(250, configuration.heartbeatMilliseconds / 4))
        var nextTick = monotonicMilliseconds()
        var nextProgress = nextTick
        session.tick(now: SchedulerTime(milliseconds: nextTick))
        performOutputs()

        while true {
            var now = monotonicMilliseconds()
            let ready = try socket.poll(timeout: Int(max(0, min(nextTick, nextProgress) - now)))
            if ready.contains(.messages) { try receiveMessages() }
            if ready.contains(.signal) { beginStop(signal: StopSignal.received) }
            applyClaim()
            now = monotonicMilliseconds()
            let time = SchedulerTime(milliseconds: now)
            for completion in store.takeCompletions() { session.stored(completion, now: time) }
            if now >= nextTick {
                session.tick(now: time)
                nextTick = now + tickInterval
            } else {
                session.dispatch(now: time)
            }
            performOutputs()
            for worker in socket.takeUnreachable() { session.connectionGone(worker, now: time) }
            session.flushAcks()
            performOutputs()
            if now >= nextProgress {
                publishProgress()
                nextProgress = now + 1_000
                if let refused = socket.gate?.reportRefusals(now: now, logger: logger) {
                    store.enqueue(.event(kind: "connection_refused", cell: nil, worker: nil, message: refused.message, detail: refused.detail))
                }
            }
            publishStatus(now: now)
            if isFinished(now: now) { break }
        }
        publishProgress()
        progress.finish()
        // Stopped by a signal while the database is away: the grace period is the promise (each
        // write would otherwise hold the exit for its reconnect attempts, seconds each).
        store.stop(timeout: interrupted && store.isDatabaseAway ? 2 : 60)
        socket.sayGoodbye(to: session.scheduler.aliveWorkers, reason: interrupted ? "coordinator stopped" : "sweep finished", limit: 2_000)
        socket.close()
        return outcome()
    }

    func isFinished(now: Int64) -> Bool {
        if interrupted {
            let counts = session.scheduler.cellCounts
            if counts.leased == 0 && counts.committing == 0 && store.isIdle { return true }
            return now >= (stopDeadline ?? now)
        }
        return session.scheduler.isFinished && store.isIdle && session.acks.isEmpty
    }

    func beginStop(signal: Int32) {
        if interrupted {
            logger.warning("second stop signal: leaving now")
            stopDeadline = 0
            return
        }
        interrupted = true
        stopDeadline = monotonicMilliseconds() + configuration.shutdownGraceMilliseconds
        logger.notice("signal \(signal): no more dispatch; waiting up to \(configuration.shutdownGraceMilliseconds) ms for running cells, then flushing results")
        session.beginStop()
        performOutputs()
    }

    /// Takes what waits on the ROUTER (at most ``messagesPerRound``), performing each answer at once.
    func receiveMessages() throws {
        for _ in 0..<Self.messagesPerRound {
            guard let received = try socket.receive() else { return }
            switch received {
            case .bad(let why): session.badFrame(why)
            case .message(let message, let worker):
                session.received(message, from: worker, now: SchedulerTime(milliseconds: monotonicMilliseconds()))
                performOutputs()
            }
        }
    }

    /// Sends and queues what the session asked for, in its order (the store's jobs under one lock).
    func performOutputs() {
        guard !session.outbox.isEmpty else { return }
        defer {
            store.enqueue(contentsOf: storeJobs)
            storeJobs.removeAll(keepingCapacity: true)
        }
        for output in session.outbox {
            switch output {
            case .send(let message, let worker):
                // Leases are persisted through the claim, so a successor accepts a late result under them.
                if case .assign(let batch) = message { claim?.recordLeases(worker: worker, of: batch) }
                socket.send(message, to: worker)
            case .store(let job): storeJobs.append(job)
            }
        }
        session.outbox.removeAll(keepingCapacity: true)
    }

    /// Once a second: the progress line, and the live row (``LiveStatus/snapshot(of:estimator:startedAt:endpoint:)``).
    func publishProgress() {
        let counts = session.scheduler.cellCounts
        progress.report(done: counts.done, failed: counts.failed, workers: session.scheduler.workerCount,
                        leased: counts.leased, backlog: counts.committing, assigned: session.assigned)
        store.enqueue(.liveStatus(LiveStatus.snapshot(of: session.scheduler, estimator: progress.estimator,
                                                      startedAt: progress.startDate, endpoint: socket.connectEndpoint)))
    }

    func outcome() -> CoordinatorOutcome {
        let counts = session.scheduler.cellCounts
        let from = session.firstAssignTime?.milliseconds ?? startTime
        var outcome = CoordinatorOutcome(
            sweepID: sweepID, total: counts.total, done: counts.done, failed: counts.failed, assigned: session.assigned,
            committed: store.committedCount, seconds: Double(monotonicMilliseconds() - from) / 1000,
            badFrames: session.badFrames.value, interrupted: interrupted,
            failures: session.scheduler.failedCells.prefix(50).map { ($0.key.hex, $0.error) })
        outcome.refusedConnections = socket.gate?.refusedCount ?? 0
        outcome.databaseReachable = !store.isDatabaseAway
        outcome.inserted = store.insertedCount
        return outcome
    }
}
