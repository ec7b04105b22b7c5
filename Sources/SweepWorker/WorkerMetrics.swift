import Foundation
import Metrics
import SweepKit

/// The worker's metrics through swift-metrics (exported at `/metrics` by `nmsweep-worker --http`;
/// docs/http.md lists them). Each call site is one line; with no backend (``isEnabled`` false)
/// each is a single branch.
public enum WorkerMetrics {
    /// Set once at start-up, before the worker runs, by whoever bootstraps a metrics backend.
    // nonisolated(unsafe): written once before any worker thread starts, then only read.
    nonisolated(unsafe) public static var isEnabled = false

    /// Histogram buckets of `nmsweep_worker_cell_seconds` (seconds): a no-op cell takes
    /// milliseconds, a pre-training minutes.
    public static let cellSecondsBuckets: [Double] = [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

    static let finished = Counter(label: "nmsweep_worker_cells_total", dimensions: [("outcome", "finished")])
    static let failed = Counter(label: "nmsweep_worker_cells_total", dimensions: [("outcome", "failed")])
    static let cellSeconds = Metrics.Timer(label: "nmsweep_worker_cell_seconds")
    static let busySlots = Gauge(label: "nmsweep_worker_slots_busy")
    static let silences = Counter(label: "nmsweep_worker_coordinator_silences_total")
    private static let busy = BusyCount()

    /// Runs one cell in a slot: counts it busy meanwhile, then records its time and how it ended.
    static func timed(_ run: () -> CellOutcome) -> CellOutcome {
        guard isEnabled else { return run() }
        busySlots.record(busy.add(1))
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = run()
        cellSeconds.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- start))
        busySlots.record(busy.add(-1))
        count(outcome)
        return outcome
    }

    /// Counts how an attempt ended (also the instant no-op cells the socket thread answers itself).
    static func count(_ outcome: CellOutcome) {
        guard isEnabled else { return }
        if case .finished = outcome { finished.increment() } else { failed.increment() }
    }

    /// A protocol note: a coordinator gone silent (the worker reconnects) is counted.
    static func noted(_ note: WorkerNote) {
        guard isEnabled, case .coordinatorSilent = note else { return }
        silences.increment()
    }
}

/// Slots running a cell now, shared by the slot threads.
private final class BusyCount: @unchecked Sendable {
    // @unchecked Sendable: `value` is read and written under `lock` only.
    private let lock = NSLock()
    private var value = 0

    func add(_ delta: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += delta
        return value
    }
}
