import Foundation
public import Logging
public import SweepKit
public import SweepStore
import SweepRuntime

/// Another coordinator runs the sweep: the refusal a second coordinator exits 2 with.
public struct SweepOwnedElsewhere: Error, CustomStringConvertible {
    public let sweep: String
    public let owner: SweepOwner
    public var description: String { "sweep \(sweep) is being run by \(owner)" }
}

/// The coordinator's claim on its sweep (issue 21): the sweep's advisory lock held by a database
/// session of its own for the coordinator's life, the owner row, the leases it issues (persisted
/// so a successor can check late results against them), and the cells shared with other sweeps
/// that their older owners may be running.
///
/// A thread of its own (``PeriodicThread``) owns the session. Every 200 ms it writes the leases issued since, and
/// checks the session: when the session was lost (the server restarted, the network cut it) the
/// claim is not held and ``isHeld`` is false — the coordinator stops dispatching (fencing; results
/// still commit, idempotently) — until the lock is taken again; if another coordinator took it
/// meanwhile, ``takenBy`` says who and the coordinator stops.
///
/// `@unchecked Sendable`: every mutable field is guarded by ``lock`` but `lastSharedCheck`, which
/// only the claim's thread uses, and `thread`, set by ``start()`` before that thread runs; the
/// session is used only by the claim's thread after ``start()`` (and by the caller before it).
public final class OwnerClaim: @unchecked Sendable {
    let ownership: SweepOwnership
    public let sweepID: Int64
    let sweepName: String
    let host: String
    let pid: Int
    let startedAt: Double
    let logger: Logger
    /// How long a persisted lease stays valid for a successor, ms.
    let leaseValidity: Int64

    private let lock = NSLock()
    private var held = true
    private var session: Int32 = 0
    private var thread: PeriodicThread?
    private var lastSharedCheck = Date.distantPast
    /// Leases queued by the socket thread (keys as bytes: their hex is made on the claim's thread).
    private var pendingLeases: [WorkerID: [(lease: Int64, cell: CellKey, attempt: Int)]] = [:]
    private var endpoint: String?
    private var taken: SweepOwner?
    private var waitingCells: Set<String> = []
    private var cellsDone: [CellKey] = []
    private var cellsReleased: [CellKey] = []
    /// Times the claim was lost and taken again.
    public private(set) var reclaims = 0

    /// Takes the sweep's lock, or throws ``SweepOwnedElsewhere`` naming its holder.
    public init(database: SweepDatabase, sweepID: Int64, sweepName: String, endpoint: String,
                leaseValidityMilliseconds: Int64, logger: Logger) throws {
        ownership = try SweepOwnership(sameServerAs: database)
        self.sweepID = sweepID
        self.sweepName = sweepName
        host = LiveStatus.hostName
        pid = Int(getpid())
        startedAt = Date().timeIntervalSince1970
        self.logger = logger
        leaseValidity = leaseValidityMilliseconds
        if let owner = try ownership.claim(sweepID: sweepID, host: host, pid: pid, endpoint: endpoint, startedAt: startedAt) {
            throw SweepOwnedElsewhere(sweep: sweepName, owner: owner)
        }
        session = ownership.sessionID
    }

    /// The leases a predecessor persisted that are still valid.
    public func predecessorLeases() throws -> [(lease: LeaseID, cell: CellKey, worker: WorkerID, remainingMilliseconds: Int64)] {
        try ownership.validLeases(sweepID: sweepID).compactMap { row in
            guard let key = CellKey(hex: row.cellKey) else { return nil }
            return (LeaseID(row.lease), key, WorkerID(row.worker), row.remainingMilliseconds)
        }
    }

    /// The sweep's cells that an older live coordinator of another sweep may be running (the caller holds them back, ``Scheduler/holdElsewhere(_:)``); this claim then
    /// watches them until they are done or that coordinator is gone.
    public func cellsHeldElsewhere() throws -> [CellKey] {
        let others = try ownership.cellsHeldByOlderOwners(sweepID: sweepID)
        lock.lock()
        waitingCells = Set(others)
        lock.unlock()
        return others.compactMap(CellKey.init(hex:))
    }

    public func start() {
        let thread = PeriodicThread(name: "owner-claim", interval: 0.2) { [weak self] last in self?.round(isLast: last) }
        self.thread = thread
        thread.start()
    }

    /// Whether this coordinator owns the sweep now (dispatch only while it does).
    public var isHeld: Bool {
        lock.lock()
        defer { lock.unlock() }
        return held
    }

    /// The coordinator that took the sweep while this one's session was lost (then stop).
    public var takenBy: SweepOwner? {
        lock.lock()
        defer { lock.unlock() }
        return taken
    }

    /// Queues the leases of one ASSIGN message for the table (written within 200 ms): one lock
    /// and one lookup for the whole message.
    public func recordLeases(worker: WorkerID, of batch: Wire.AssignBatch) {
        lock.lock()
        pendingLeases[worker, default: []].append(contentsOf: batch.assignments.lazy.map { (Int64($0.lease), $0.cell, Int($0.attempt)) })
        lock.unlock()
    }

    /// Publishes where workers connect in the owner row.
    public func publish(endpoint: String) {
        lock.lock()
        self.endpoint = endpoint
        lock.unlock()
    }

    /// Shared cells another coordinator finished, and those no older owner holds any more, since the last call.
    public func takeSharedCellUpdates() -> (done: [CellKey], released: [CellKey]) {
        lock.lock()
        defer {
            cellsDone.removeAll()
            cellsReleased.removeAll()
            lock.unlock()
        }
        return (cellsDone, cellsReleased)
    }

    /// Writes what is pending, releases the lock, and ends the thread; waits at most 1 s (with
    /// the database away the lock goes with the session when the process exits, and a stop
    /// must not outlast the shutdown grace period).
    public func stop() {
        thread?.stop(waitingAtMost: 1)
    }

    /// One round on the claim's thread: the lock checked (and taken again after a lost session),
    /// the endpoint and the queued leases written, shared cells watched; the last round releases.
    private func round(isLast: Bool) {
        lock.lock()
        let leases = pendingLeases
        pendingLeases.removeAll(keepingCapacity: true)
        let newEndpoint = endpoint
        endpoint = nil
        let waiting = Array(waitingCells)
        lock.unlock()

        do {
            try ensureHeld()
            if let newEndpoint { try ownership.publish(endpoint: newEndpoint, sweepID: sweepID) }
            for (worker, list) in leases {
                try ownership.recordLeases(sweepID: sweepID, worker: worker.description, leases: list.map { ($0.lease, $0.cell.hex, $0.attempt) },
                                           validForMilliseconds: leaseValidity)
            }
            if !waiting.isEmpty, Date().timeIntervalSince(lastSharedCheck) >= 1 {
                lastSharedCheck = Date()
                try watchShared(waiting)
            }
            if isLast { try ownership.release(sweepID: sweepID) }
        } catch {
            // Leases not yet written go back to the queue (while the claim is lost nothing new
            // is dispatched, so the queue does not grow); the session is checked again next round.
            lock.lock()
            for (worker, list) in leases { pendingLeases[worker, default: []].insert(contentsOf: list, at: 0) }
            lock.unlock()
            markLost(because: error)
        }
    }

    /// Checks the session still holds the lock; takes it again after a lost session.
    private func ensureHeld() throws {
        let now = ownership.sessionID
        lock.lock()
        let wasHeld = held && now == session && now != 0
        lock.unlock()
        if wasHeld, try ownership.holds(sweepID: sweepID), ownership.sessionID == now { return }
        markLost()
        if let owner = try ownership.claim(sweepID: sweepID, host: host, pid: pid, endpoint: "", startedAt: startedAt) {
            lock.lock()
            let first = taken == nil
            taken = owner
            lock.unlock()
            if first { logger.error("sweep \(sweepName) was taken over by \(owner) while this coordinator's database session was lost: stopping") }
            throw SweepOwnedElsewhere(sweep: sweepName, owner: owner)
        }
        lock.lock()
        held = true
        session = ownership.sessionID
        reclaims += 1
        lock.unlock()
        logger.notice("the database session of sweep \(sweepName)'s claim was lost; claim taken again (dispatch resumes)")
    }

    /// Marks the claim not held; logs once per loss (a round every 200 ms must not become a line each).
    private func markLost(because error: (any Error)? = nil) {
        lock.lock()
        let was = held
        held = false
        lock.unlock()
        if was {
            logger.warning("lost the database session holding sweep \(sweepName)'s claim\(error.map { " (\($0))" } ?? ""): dispatch paused until it is taken again")
        } else if let error {
            logger.debug("owner claim of sweep \(sweepName) still lost: \(error)")
        }
    }

    /// Cells held for another coordinator: done ones leave the watch; released claims are taken.
    private func watchShared(_ waiting: [String]) throws {
        let done = try doneAmong(waiting)
        let open = waiting.filter { !done.contains($0) }
        let stillOthers = Set(try ownership.cellsHeldByOlderOwners(sweepID: sweepID, among: open))
        let released = open.filter { !stillOthers.contains($0) }
        lock.lock()
        for key in done { waitingCells.remove(key) }
        for key in released { waitingCells.remove(key) }
        cellsDone += done.compactMap(CellKey.init(hex:))
        cellsReleased += released.compactMap(CellKey.init(hex:))
        lock.unlock()
    }

    private func doneAmong(_ keys: [String]) throws -> Set<String> {
        Set(try SweepDatabase(connection: ownership.connection, migrate: false).doneCells(among: keys))
    }
}
