import BuildInfo
import Foundation
import SweepKit

extension CoordinatorLoop {
    /// Publishes a ``CoordinatorSnapshot`` to the configuration's ``StatusBoard`` when one is due
    /// (at most every 250 ms, and at once when the sweep finishes), and sets the gauges and
    /// counters of ``CoordinatorMetrics`` from it. Without a board: nothing (one nil check).
    ///
    /// Cost: O(workers) per snapshot; the failed cells are listed again only when their count changed.
    func publishStatus(now: Int64) {
        guard let board = configuration.statusBoard else { return }
        let counts = session.scheduler.cellCounts
        let previous = board.latest
        let finished = session.scheduler.isFinished
        guard board.isDue(now: now) || (finished && previous?.finished != true) else { return }
        var snapshot = CoordinatorSnapshot(
            sweep: board.sweep, sweepID: sweepID, host: LiveStatus.hostName, pid: Int(getpid()), endpoint: socket.connectEndpoint,
            version: BuildInfo.versionText(tool: "nmsweep-coordinator"), startedAt: progress.startDate.timeIntervalSince1970,
            takenAt: Date().timeIntervalSince1970)
        snapshot.total = counts.total
        snapshot.done = counts.done
        snapshot.failed = counts.failed
        snapshot.leased = counts.leased
        snapshot.queued = counts.queued
        snapshot.waiting = counts.blocked
        snapshot.committing = counts.committing
        let estimator = progress.estimator
        snapshot.doneThisRun = estimator.completed
        snapshot.elapsedSeconds = estimator.elapsed
        snapshot.rate = estimator.rate
        snapshot.etaSeconds = estimator.eta(remaining: counts.unfinished)
        snapshot.assigned = session.assigned
        snapshot.workers = session.scheduler.workerViews.map {
            CoordinatorSnapshot.Worker(id: $0.id.description, slots: $0.slots, running: $0.leased, credit: $0.credit,
                                       secondsSinceHeartbeat: Double(max(0, now - $0.lastSeen.milliseconds)) / 1000)
        }.sorted { $0.id < $1.id }
        if let previous, previous.failed == counts.failed {
            snapshot.failures = previous.failures
        } else {
            snapshot.failures = session.scheduler.failedCells.prefix(CoordinatorSnapshot.failureLimit).map {
                CoordinatorSnapshot.Failure(cell: $0.key.hex, attempts: session.scheduler.attempts(of: $0.key) ?? 0, error: $0.error)
            }
        }
        snapshot.badFrames = session.badFrames.value
        snapshot.refusedConnections = socket.gate?.refusedCount ?? 0
        snapshot.finished = finished
        snapshot.stopping = interrupted
        board.publish(snapshot)
        CoordinatorMetrics.update(snapshot, previous: previous)
    }
}
