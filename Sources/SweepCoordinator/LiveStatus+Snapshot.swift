import BuildInfo
import Foundation
import SweepKit
import SweepStore

extension CoordinatorLoop {
    /// Once a second: the progress line, and the live row (`sweep_live`) that `nmsweep status`
    /// reads — the scheduler's own counts, the workers it hears with their leases, and the
    /// estimator's rate and ETA. The row goes to the store thread, which writes only the newest
    /// one queued, so the hot path pays one small job a second and a database outage piles up
    /// nothing.
    func publishProgress() {
        let counts = scheduler.cellCounts
        progress.report(done: counts.done, failed: counts.failed, workers: scheduler.workerCount,
                        leased: counts.leased, backlog: counts.committing, assigned: assigned)
        var live = LiveStatus(host: Self.hostName, pid: Int(getpid()), endpoint: connectEndpoint,
                              version: BuildInfo.versionText(tool: "nmsweep-coordinator"),
                              startedAt: progress.startDate.timeIntervalSince1970, intervalMilliseconds: 1_000)
        live.total = counts.total
        live.done = counts.done
        live.failed = counts.failed
        live.leased = counts.leased
        live.queued = counts.queued
        live.waiting = counts.blocked
        live.committing = counts.committing
        live.doneThisRun = progress.estimator.completed
        live.elapsedSeconds = progress.estimator.elapsed
        live.rate = progress.estimator.rate
        live.etaSeconds = progress.estimator.eta(remaining: counts.unfinished)
        live.workers = registered.filter { scheduler.isAlive($0) }.map {
            LiveStatus.Worker(id: $0.description, leased: scheduler.leases(of: $0).count)
        }.sorted { $0.id < $1.id }
        store.enqueue(.liveStatus(live))
    }

    static let hostName: String = {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
