import Foundation
import SweepCoordinator
import SweepStore

/// What the HTTP side adds to a snapshot from the database (cached a few seconds): the workers'
/// rows, their results in this sweep, how departed workers ended, and failed cells' grid points.
struct DatabaseExtras: Sendable {
    var records: [String: WorkerRecord] = [:]
    var resultsPerWorker: [String: Int] = [:]
    /// Worker id → `lost` or `left`, for workers that ended during the sweep.
    var departures: [String: String] = [:]
    /// Cell key → grid point in words.
    var failurePoints: [String: String] = [:]

    static func read(_ db: SweepDatabase, sweepID: Int64) throws -> DatabaseExtras {
        var extras = DatabaseExtras()
        extras.records = Dictionary(try db.workers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        extras.resultsPerWorker = try db.resultsPerWorker(sweepID: sweepID)
        extras.departures = try db.workerDepartures(sweepID: sweepID)
        extras.failurePoints = Dictionary(try db.failedCells(sweepID: sweepID).map { ($0.key, $0.point) }, uniquingKeysWith: { a, _ in a })
        return extras
    }
}

extension StatusDocument {
    /// The document of the coordinator's own snapshot (the fields of `nmsweep status --format
    /// json`), its workers completed from `extras` when the database answered: connected workers
    /// first (by id), then those that left or were lost during the sweep.
    init(snapshot: CoordinatorSnapshot, extras: DatabaseExtras?) {
        var live = snapshot.live
        live.secondsSinceHeartbeat = max(0, Date().timeIntervalSince1970 - snapshot.takenAt)
        self.init(sweep: snapshot.sweep, sweepID: snapshot.sweepID,
                  state: snapshot.finished ? (live.failed > 0 ? "failed" : "done") : "running", running: !snapshot.finished)
        take(live)
        let connected = Set(snapshot.workers.map(\.id))
        workers = snapshot.workers.map { w in
            let record = extras?.records[w.id]
            return Worker(id: w.id, state: "connected", host: record?.host, slots: w.slots, version: record?.version, running: w.running,
                          results: extras.map { $0.resultsPerWorker[w.id] ?? 0 }, secondsSinceHeartbeat: w.secondsSinceHeartbeat)
        }
        if let extras {
            workers += extras.departures.filter { !connected.contains($0.key) }.sorted { $0.key < $1.key }.map { id, state in
                let record = extras.records[id]
                return Worker(id: id, state: state, host: record?.host, slots: record?.slots, version: record?.version, running: 0,
                              results: extras.resultsPerWorker[id] ?? 0, secondsSinceHeartbeat: record?.secondsSinceSeen)
            }
        }
        failures = snapshot.failures.map { Failure(cell: $0.cell, point: extras?.failurePoints[$0.cell], attempts: $0.attempts, error: $0.error) }
    }
}
