import Foundation
import SweepRuntime
import Logging
package import SweepKit
package import SweepStore

/// Work for the store thread, done in the order queued.
package enum StoreJob: @unchecked Sendable {
    /// An evaluate/no-op result: batched with its neighbours into one transaction.
    case result(CellKey, ResultRecord)
    /// A pretrain cell's result: settle its artifact (commit the worker's upload, or catalogue
    /// it from the shared folder, or find it stored), then mark the cell done.
    case pretrainDone(CellKey, artifact: String?, uploaded: Bool, kind: String)
    /// A cell was requeued or failed: persist state, attempts and error, and log an event.
    case cellOutcome(CellKey, state: StoredCellState, attempts: Int, error: String?)
    case event(kind: String, cell: String?, worker: String?, message: String, detail: String?)
    case worker(WorkerRecord)
    /// Artifact transfers (``StoreArtifacts``).
    case artifact(ArtifactJob)
    /// The coordinator's counters for `nmsweep status` (only the newest queued is written).
    case liveStatus(LiveStatus)
}

/// What the store thread reports back to the socket thread.
package enum StoreCompletion: @unchecked Sendable {
    /// Committed: acknowledge these cells.
    case committed([CellKey])
    /// Given up on (the database refused them): the cells go back to the queue.
    case lost([CellKey], String)
    case artifactStored(String)
    case artifact(ArtifactCompletion)
}

/// The store thread: the only user of the database connection while the socket loop runs.
///
/// It takes every queued job at once and writes consecutive results as one batch
/// (`SweepDatabase.insertResults`: one COPY, one COMMIT), up to ``batchLimit`` rows; while a commit
/// runs, new results accumulate, so batches grow with the load and no timer is needed. A failed
/// write is retried with back-off until the database answers or ``stop()`` gives up on it.
final class StoreWriter: @unchecked Sendable {
    let database: SweepDatabase
    let sweepID: Int64
    let batchLimit: Int
    let logger: Logger
    private let condition = NSCondition()
    private var jobs: [StoreJob] = []
    private var completions: [StoreCompletion] = []
    private var busy = false
    private var stopping = false
    private var finished = false
    private let wake: WakePipe
    private(set) var committedCount = 0
    /// Results this writer stored (committed minus those already present).
    private(set) var insertedCount = 0
    /// Whether the last write failed (the database is away or refusing): the coordinator then
    /// does not wait on it for its summary.
    private var lastWriteFailed = false
    var isDatabaseAway: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lastWriteFailed
    }

    /// Uploads, fetches and logs of artifacts, over the database or the shared folder.
    let artifacts: StoreArtifacts

    init(database: SweepDatabase, sweepID: Int64, batchLimit: Int, wake: WakePipe, logger: Logger, artifactFolder: ArtifactFolder? = nil) {
        self.database = database
        artifacts = StoreArtifacts(backend: DatabaseArtifacts(database: database, folder: artifactFolder), logger: logger)
        self.sweepID = sweepID
        self.batchLimit = max(1, batchLimit)
        self.wake = wake
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "store"
        thread.start()
    }

    func enqueue(_ job: StoreJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Queues `batch` in order, under one lock (the jobs of one round of the socket thread).
    func enqueue(contentsOf batch: [StoreJob]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        jobs.append(contentsOf: batch)
        condition.signal()
        condition.unlock()
    }

    /// Completed work since the last call.
    func takeCompletions() -> [StoreCompletion] {
        condition.lock()
        defer { condition.unlock() }
        let taken = completions
        completions.removeAll(keepingCapacity: true)
        return taken
    }

    /// Stopping with the last write failed: each further write would wait out the connection's
    /// reconnect policy (seconds each), so the rest is dropped.
    private var abandoning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping && lastWriteFailed
    }

    /// Whether nothing is queued or being written.
    var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return jobs.isEmpty && !busy
    }

    /// Finishes the queued jobs (giving up on a write that keeps failing) and ends the thread;
    /// waits at most `timeout` seconds.
    func stop(timeout: Double) {
        condition.lock()
        stopping = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while !finished, condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch = jobs
            jobs.removeAll(keepingCapacity: true)
            Self.keepNewestLiveStatus(&batch)
            busy = true
            condition.unlock()

            var done: [StoreCompletion] = []
            var results: [ResultRecord] = []
            var keys: [CellKey] = []
            func flush() {
                guard !results.isEmpty else { return }
                var inserted = 0
                let commitStart = DispatchTime.now().uptimeNanoseconds
                if write({ inserted = try database.insertResults(results) }, what: "\(results.count) results") {
                    CoordinatorMetrics.committed(keys.count, startedAt: commitStart)
                    committedCount += keys.count
                    insertedCount += inserted
                    done.append(.committed(keys))
                } else {
                    done.append(.lost(keys, "the database refused the results"))
                }
                results.removeAll(keepingCapacity: true)
                keys.removeAll(keepingCapacity: true)
            }
            for job in batch {
                if abandoning {
                    // Stopping while the database is away: what is left is not written (results
                    // are unacknowledged, so their workers keep them; outcomes are rebuilt).
                    if case .result(let key, _) = job { keys.append(key) }
                    continue
                }
                if case .result(let key, let record) = job {
                    results.append(record)
                    keys.append(key)
                    if results.count >= batchLimit { flush() }
                    continue
                }
                flush()
                perform(job, into: &done)
            }
            if abandoning, !keys.isEmpty {
                done.append(.lost(keys, "the coordinator stopped while the database was away"))
                keys.removeAll()
            }
            flush()

            condition.lock()
            completions += done
            busy = false
            condition.broadcast()
            condition.unlock()
            wake.signal()
        }
    }

    private func perform(_ job: StoreJob, into done: inout [StoreCompletion]) {
        switch job {
        case .result:
            break
        case .pretrainDone(let key, let artifact, let uploaded, let kind):
            let ok = write({
                if let artifact {
                    guard let digest = ArtifactDigest(hex: artifact) else {
                        throw StoreJobError("pretrain cell \(key.short) names no valid artifact digest")
                    }
                    try artifacts.settle(digest, uploaded: uploaded, kind: kind)
                    try database.recordEvent(kind: "artifact_stored", sweepID: sweepID, cellKey: key.hex,
                                             message: "model artifact stored", detail: "{\"sha256\": \"\(artifact)\"}")
                }
                try database.recordCellOutcome(key.hex, state: .done, attempts: 0, error: nil)
            }, what: "pretrain cell \(key.short)", retries: artifact != nil && !uploaded ? 0 : 5)
            if ok {
                committedCount += 1
                insertedCount += 1
                done.append(.committed([key]))
                if let artifact { done.append(.artifactStored(artifact)) }
            } else {
                done.append(.lost([key], "its model artifact could not be stored"))
            }
        case .cellOutcome(let key, let state, let attempts, let error):
            _ = write({
                try database.recordCellOutcome(key.hex, state: state, attempts: attempts, error: error)
                try database.recordEvent(kind: state == .failed ? "cell_failed" : "cell_requeued", sweepID: sweepID,
                                         cellKey: key.hex, message: error ?? "")
            }, what: "cell \(key.short)")
        case .event(let kind, let cell, let worker, let message, let detail):
            _ = write({
                try database.recordEvent(kind: kind, sweepID: sweepID, cellKey: cell, workerID: worker, message: message,
                                         detail: detail)
            }, what: "event \(kind)")
        case .worker(let record):
            _ = write({ try database.upsertWorker(record) }, what: "worker \(record.id)")
        case .liveStatus(let status):
            // Best effort, no retry: the next one comes within a second.
            do { try database.writeLiveStatus(sweepID: sweepID, status) } catch { logger.debug("store: live status not written: \(error)") }
        case .artifact(let job):
            done += artifacts.perform(job, sweepID: sweepID).map(StoreCompletion.artifact)
        }
    }

    /// Runs `body`, retrying with back-off (0.1 s doubling to 5 s) while the database fails and the
    /// writer is not stopping; returns whether it succeeded.
    private func write(_ body: () throws -> Void, what: String, retries: Int = .max) -> Bool {
        var delay = 0.1
        var attempt = 0
        while true {
            do {
                try body()
                condition.lock()
                lastWriteFailed = false
                condition.unlock()
                return true
            } catch {
                attempt += 1
                condition.lock()
                lastWriteFailed = true
                condition.unlock()
                // A refusal (constraint, syntax) will not change on retry; a lost connection may.
                let permanent = !SweepStoreError.isTransient(error)
                logger.error("store: writing \(what) failed (attempt \(attempt)): \(error)")
                condition.lock()
                let giveUp = stopping || attempt > retries || (permanent && attempt > 1)
                condition.unlock()
                if giveUp { return false }
                Thread.sleep(forTimeInterval: delay)
                delay = min(5, delay * 2)
            }
        }
    }
}

extension StoreWriter {
    /// Drops every live-status job of `batch` but the last (a backlog after an outage holds one a second).
    static func keepNewestLiveStatus(_ batch: inout [StoreJob]) {
        guard let last = batch.lastIndex(where: { if case .liveStatus = $0 { true } else { false } }) else { return }
        batch = batch.indices.compactMap { i in
            if case .liveStatus = batch[i], i != last { return nil }
            return batch[i]
        }
    }
}

struct StoreJobError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
