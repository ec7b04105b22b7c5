import SweepKit
public import SweepStore
public import Logging
import NoisyCore
import Foundation
import SweepRuntime

/// The coordinator service: records a sweep, rebuilds its state from the database, and runs the
/// socket loop that drives the ``Scheduler`` until every cell is done or failed.
///
/// Threads: the caller's thread runs the socket loop (it owns the ROUTER socket and the scheduler);
/// a store thread (``StoreWriter``) owns the database connection while the loop runs. They talk
/// through a lock-protected queue each way and a wake pipe the loop polls. See docs/runtime.md.
public final class Coordinator {
    public let configuration: CoordinatorConfiguration
    public let database: SweepDatabase
    public let plan: SweepPlan
    let logger: Logger

    /// Called on the socket thread once the ROUTER is bound, with the endpoint workers connect to
    /// (a wildcard port resolved, a wildcard address as 127.0.0.1).
    public var onBound: (@Sendable (String) -> Void)?

    public init(plan: SweepPlan, database: SweepDatabase, configuration: CoordinatorConfiguration = CoordinatorConfiguration(),
                logger: Logger = Logger(label: "nmsweep.coordinator")) {
        self.plan = plan
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    /// Records the sweep and its cells (idempotently), rebuilds the scheduler from what the database
    /// holds, and runs until the sweep is finished or a stop signal; returns how it ended.
    public func run() throws -> CoordinatorOutcome {
        // One owner per sweep: the claim comes first (a second coordinator leaves here with exit 2).
        let known = try database.sweep(named: plan.name)
        let claim = try OwnerClaim(
            database: database, sweepID: try known?.id ?? database.createSweep(name: plan.name, grid: plan.gridText, canonicalGrid: plan.canonicalSummary).sweep.id,
            sweepName: plan.name, endpoint: "", leaseValidityMilliseconds: configuration.cellTimeoutMilliseconds ?? 86_400_000, logger: logger)
        claim.start()
        defer { claim.stop() }
        // A run that stopped without recording its end (stopped while the database was away, or
        // killed) gets its `sweep_interrupted` event now.
        if let unrecorded = try database.unrecordedRun(sweepName: plan.name) {
            _ = try database.recordEvent(kind: "sweep_interrupted", sweepID: unrecorded.sweepID,
                                         message: "recorded at the next start: the run begun at \(unrecorded.startedAt) ended without recording its end (stopped while the database was away, or killed)",
                                         detail: "{\"recorded_late\": true}")
            logger.notice("the previous run of \"\(plan.name)\" ended without recording its end: sweep_interrupted recorded now")
        }
        let sweep = try database.createSweep(name: plan.name, grid: plan.gridText, canonicalGrid: plan.canonicalSummary).sweep
        let created = known == nil
        let newCells = try SweepPlan.submit(plan.cells, to: database, sweepID: sweep.id, logger: logger)
        logger.info("sweep \"\(sweep.name)\" (id \(sweep.id), \(created ? "new" : "known")): \(plan.cells.count) cells, \(newCells) new")
        // The sweep is what its grid says now: cells of points removed from the grid leave it.
        let dropped = created ? DroppedCells() : try database.retainCells(sweepID: sweep.id, keys: plan.cells.map(\.key.hex))
        if dropped.total > 0 {
            logger.notice("\(dropped.total) cells are no longer in the grid and left sweep \"\(sweep.name)\" (\(dropped.evaluate) evaluate, \(dropped.pretrain) pretrain); their \(dropped.withResults) results stay in the database but no longer count in its report, status or progress")
        }
        let finishedBefore = sweep.state == .done || sweep.state == .failed ? try database.finishedAt(sweepID: sweep.id) : nil

        // Rebuild: done (result present / pretrain marked done), failed, attempts, artifacts.
        let persisted = try database.runtimeCellStates(sweepID: sweep.id)
        let available = try database.storedArtifacts(among: Array(Set(persisted.compactMap(\.artifact))))
        var schedulerConfiguration = SchedulerConfiguration(
            maxAttempts: configuration.maxAttempts ?? plan.maxAttempts, heartbeatInterval: configuration.heartbeatMilliseconds,
            liveness: configuration.liveness, resultBacklogLimit: configuration.resultBacklogLimit)
        schedulerConfiguration.maxAssignmentsPerDispatch = 8_192
        schedulerConfiguration.maxLeaseDuration = configuration.cellTimeoutMilliseconds
        // Lease ids above any earlier run's: milliseconds since 2020 × 2^20.
        let firstLease = LeaseID(max(1, Date().timeIntervalSince1970 - 1_577_836_800) * 1000) << 20
        var scheduler = Scheduler(cells: plan.cells.lazy.map(ScheduledCell.init), persisted: persisted,
                                  availableArtifacts: available, configuration: schedulerConfiguration,
                                  firstLeaseID: firstLease)
        scheduler.admitPredecessorLeases(try claim.predecessorLeases(), now: SchedulerTime(milliseconds: monotonicMilliseconds()))
        let heldElsewhere = scheduler.holdElsewhere(try claim.cellsHeldElsewhere())
        if !heldElsewhere.isEmpty {
            logger.notice("\(heldElsewhere.count) cells shared with another sweep are being run by its coordinator: they wait for it here")
        }
        let counts = scheduler.cellCounts
        logger.info("state rebuilt: \(counts.done) done, \(counts.failed) failed, \(counts.queued) queued, \(counts.blocked) waiting for a model")
        let nothingToRun = scheduler.isFinished
        if !nothingToRun { try database.setSweepState(sweep.id, .running) }

        let loop = try CoordinatorLoop(configuration: configuration, logger: logger, database: database, sweepID: sweep.id,
                                       cells: plan.cells, scheduler: scheduler,
                                       onBound: { [onBound] endpoint in claim.publish(endpoint: endpoint); onBound?(endpoint) }, claim: claim)
        var outcome = try loop.run()
        outcome.dropped = dropped
        if nothingToRun { outcome.previouslyFinishedAt = finishedBefore ?? "an earlier run" }
        // Stopped while the database is away: the summary is this run's own counters, and the
        // end is recorded at the next start (``SweepDatabase/unrecordedRun(sweepName:)``).
        if !outcome.databaseReachable {
            logger.warning("the database is away: this summary comes from the coordinator's own counters; the run's end is recorded at the next start")
            return outcome
        }
        do {
            let finalCounts = try database.cellCounts(sweepID: sweep.id)
            outcome.failures = try database.failedCells(sweepID: sweep.id).map { ($0.key, "\($0.point): \($0.lastError ?? "unknown error")") }
            try? database.endLiveStatus(sweepID: sweep.id)
            if !outcome.interrupted && !(nothingToRun && finishedBefore != nil) {
                try database.setSweepState(sweep.id, outcome.failed > 0 ? .failed : .done)
            }
            try database.recordEvent(
                kind: outcome.interrupted ? "sweep_interrupted" : "sweep_finished", sweepID: sweep.id,
                message: "\(outcome.done) done, \(outcome.failed) failed of \(outcome.total)",
                detail: "{\"assigned\": \(outcome.assigned), \"committed\": \(outcome.committed), \"done\": \(finalCounts[.done] ?? 0), "
                    + "\"failed\": \(outcome.failed), \"seconds\": \(outcome.seconds), \"bad_frames\": \(outcome.badFrames)}")
        } catch {
            outcome.databaseReachable = false
            logger.warning("the database did not answer for the summary (\(error)): it comes from the coordinator's own counters; the run's end is recorded at the next start")
        }
        return outcome
    }
}
