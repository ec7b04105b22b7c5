import Foundation
import SweepKit
import SweepStore

extension CoordinatorLoop {
    /// Publishes a ``CoordinatorSnapshot`` to the configuration's ``StatusBoard`` when one is due
    /// (at most every 250 ms, and at once when the sweep finishes), and sets the gauges and
    /// counters of ``CoordinatorMetrics`` from it. Without a board: nothing (one nil check).
    ///
    /// Cost: O(workers) per snapshot; the failed cells are listed again only when their count changed.
    func publishStatus(now: Int64) {
        guard let board = configuration.statusBoard else { return }
        let previous = board.latest
        let finished = session.scheduler.isFinished
        guard board.isDue(now: now) || (finished && previous?.finished != true) else { return }
        let scheduler = session.scheduler
        var snapshot = CoordinatorSnapshot(
            sweep: board.sweep, sweepID: sweepID,
            live: LiveStatus.snapshot(of: scheduler, estimator: progress.estimator, startedAt: progress.startDate, endpoint: socket.connectEndpoint),
            takenAt: Date().timeIntervalSince1970)
        snapshot.workers = scheduler.workerViews.map {
            CoordinatorSnapshot.Worker(id: $0.id.description, slots: $0.slots, running: $0.leased, credit: $0.credit,
                                       secondsSinceHeartbeat: Double(max(0, now - $0.lastSeen.milliseconds)) / 1000)
        }.sorted { $0.id < $1.id }
        if let previous, previous.live.failed == snapshot.live.failed {
            snapshot.failures = previous.failures
        } else {
            snapshot.failures = scheduler.failedCells.prefix(CoordinatorSnapshot.failureLimit).map {
                CoordinatorSnapshot.Failure(cell: $0.key.hex, attempts: scheduler.attempts(of: $0.key) ?? 0, error: $0.error)
            }
        }
        snapshot.assigned = session.assigned
        snapshot.badFrames = session.badFrames.value
        snapshot.refusedConnections = socket.gate?.refusedCount ?? 0
        snapshot.finished = finished
        snapshot.stopping = interrupted
        board.publish(snapshot)
        CoordinatorMetrics.update(snapshot, previous: previous)
    }
}
