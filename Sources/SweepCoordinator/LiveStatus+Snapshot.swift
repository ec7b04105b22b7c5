import BuildInfo
package import Foundation
package import SweepKit
package import SweepStore

extension LiveStatus {
    /// The live row (`sweep_live`) that `nmsweep status` reads, as of now: the scheduler's own
    /// counts, the workers it hears with their leases (sorted by id), and the estimator's rate and
    /// ETA. The coordinator queues one a second; the store thread writes only the newest one
    /// queued, so the hot path pays one small job a second and a database outage piles up nothing.
    package static func snapshot(of scheduler: Scheduler, estimator: ProgressEstimator, startedAt: Date,
                         endpoint: String) -> LiveStatus {
        let counts = scheduler.cellCounts
        var live = LiveStatus(host: hostName, pid: Int(getpid()), endpoint: endpoint,
                              version: BuildInfo.versionText(tool: "nmsweep-coordinator"),
                              startedAt: startedAt.timeIntervalSince1970, intervalMilliseconds: 1_000)
        live.total = counts.total
        live.done = counts.done
        live.failed = counts.failed
        live.leased = counts.leased
        live.queued = counts.queued
        live.waiting = counts.blocked
        live.committing = counts.committing
        live.doneThisRun = estimator.completed
        live.elapsedSeconds = estimator.elapsed
        live.rate = estimator.rate
        live.etaSeconds = estimator.eta(remaining: counts.unfinished)
        live.workers = scheduler.aliveWorkers.map {
            LiveStatus.Worker(id: $0.description, leased: scheduler.leases(of: $0).count)
        }.sorted { $0.id < $1.id }
        live.commandWaits = scheduler.commandCellsWithoutWorker.map { LiveStatus.CommandWait(requires: $0.requires, cells: $0.cells) }
        return live
    }

    static let hostName: String = {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
