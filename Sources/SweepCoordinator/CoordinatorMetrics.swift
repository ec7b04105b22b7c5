import Foundation
import Metrics
import SweepKit

/// The coordinator's metrics through swift-metrics (exported by the Prometheus backend that
/// `nmsweep-coordinator --http` bootstraps; docs/http.md lists them). Each call site in the loop,
/// the session and the store writer is one line; with no backend (``isEnabled`` false) each is a
/// single branch.
///
/// Gauges and counters derived from the loop's counters are set from the published snapshot
/// (``update(_:previous:)``, at most every 250 ms); the histograms are observed where the time is known.
public enum CoordinatorMetrics {
    /// Set once at start-up, before the loop runs, by whoever bootstraps a metrics backend.
    // nonisolated(unsafe): written once before any coordinator thread starts, then only read.
    nonisolated(unsafe) public static var isEnabled = false

    /// Histogram buckets of ``assignToResult`` (seconds): a no-op cell takes milliseconds, a
    /// pre-training minutes.
    public static let assignToResultBuckets: [Double] = [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

    static let cellGauges = Dictionary(uniqueKeysWithValues: ["waiting", "queued", "leased", "committing", "done", "failed"].map {
        ($0, Gauge(label: "nmsweep_cells", dimensions: [("state", $0)]))
    })
    static let workersConnected = Gauge(label: "nmsweep_workers_connected")
    static let storeBacklog = Gauge(label: "nmsweep_store_backlog")
    static let resultsCommitted = Counter(label: "nmsweep_results_committed_total")
    static let commitLatency = Metrics.Timer(label: "nmsweep_result_commit_seconds")
    static let assignToResult = Dictionary(uniqueKeysWithValues: CellKind.allCases.map {
        ($0, Metrics.Timer(label: "nmsweep_assign_to_result_seconds", dimensions: [("kind", $0.rawValue)]))
    })
    static let heartbeatsMissed = Counter(label: "nmsweep_heartbeats_missed_total")
    static let workersLost = Counter(label: "nmsweep_workers_lost_total")
    static let badFrames = Counter(label: "nmsweep_bad_frames_total")
    static let refusedConnections = Counter(label: "nmsweep_refused_connections_total")
    static let assigned = Counter(label: "nmsweep_cells_assigned_total")

    /// Gauges from the snapshot; counters by what grew since the previous one.
    static func update(_ snapshot: CoordinatorSnapshot, previous: CoordinatorSnapshot?) {
        guard isEnabled else { return }
        let live = snapshot.live
        let states = ["waiting": live.waiting, "queued": live.queued, "leased": live.leased,
                      "committing": live.committing, "done": live.done, "failed": live.failed]
        for (state, value) in states { cellGauges[state]?.record(value) }
        workersConnected.record(snapshot.workers.count)
        storeBacklog.record(live.committing)
        badFrames.increment(by: max(0, snapshot.badFrames - (previous?.badFrames ?? 0)))
        refusedConnections.increment(by: max(0, snapshot.refusedConnections - (previous?.refusedConnections ?? 0)))
        assigned.increment(by: max(0, snapshot.assigned - (previous?.assigned ?? 0)))
    }

    /// A batch of result rows was committed; `startedAt` is when its write began
    /// (`DispatchTime.now().uptimeNanoseconds`).
    static func committed(_ count: Int, startedAt: UInt64) {
        guard isEnabled else { return }
        resultsCommitted.increment(by: count)
        commitLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- startedAt))
    }

    /// A RESULT arrived under `lease` (not observed when the scheduler no longer knows the lease:
    /// a late or repeated result).
    static func resultArrived(_ id: LeaseID, scheduler: borrowing Scheduler, cells: [GridCell], now: SchedulerTime) {
        guard isEnabled, let lease = scheduler.lease(id), let index = scheduler.index(of: lease.cell) else { return }
        assignToResult[cells[index].kind]?.recordNanoseconds(max(0, now.milliseconds - lease.issuedAt.milliseconds) * 1_000_000)
    }

    /// The scheduler declared a worker lost; `reason` says whether it went silent (heartbeats missed).
    static func workerLost(reason: String) {
        guard isEnabled else { return }
        workersLost.increment()
        if reason.contains("silent") { heartbeatsMissed.increment() }
    }
}
