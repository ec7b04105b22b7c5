/// A lease a predecessor coordinator of the same sweep issued and persisted.
public struct PredecessorLease: Sendable, Equatable {
    public var cell: Int32
    public var worker: WorkerID
    /// When it stops being valid, on this scheduler's clock.
    public var expiresAt: SchedulerTime
}

extension Scheduler {
    /// Takes the leases a predecessor persisted: from now on a result under a lease older than
    /// this scheduler's first is taken only when one of these names its cell and its sender and
    /// has not expired (`remainingMilliseconds` from `now`); any other such result is rejected.
    /// Leases of cells not in this sweep are ignored.
    public mutating func admitPredecessorLeases(_ persisted: [(lease: LeaseID, cell: CellKey, worker: WorkerID, remainingMilliseconds: Int64)],
                                                now: SchedulerTime) {
        var table = predecessorLeases ?? [:]
        for entry in persisted where entry.lease < firstLeaseID && entry.remainingMilliseconds > 0 {
            guard let c = cellIndex[entry.cell] else { continue }
            table[entry.lease] = PredecessorLease(cell: c, worker: entry.worker,
                                                  expiresAt: SchedulerTime(milliseconds: now.milliseconds + entry.remainingMilliseconds))
        }
        predecessorLeases = table
    }

    /// Predecessor leases admitted (for logs and tests).
    public var predecessorLeaseCount: Int { predecessorLeases?.count ?? 0 }

    /// Another sweep's coordinator has claimed these cells: the queued or blocked ones are held
    /// (shown as waiting) and not dispatched here until ``releaseHeld(_:)`` or ``doneElsewhere(_:now:)``.
    /// Returns the keys now held.
    @discardableResult
    public mutating func holdElsewhere(_ keys: [CellKey]) -> [CellKey] {
        var held: [CellKey] = []
        for key in keys {
            guard let c = cellIndex[key], states[Int(c)] == .queued || states[Int(c)] == .blocked else { continue }
            heldElsewhere.insert(c)
            if states[Int(c)] == .queued { setState(c, .blocked) }
            held.append(key)
        }
        return held
    }

    /// Cells this scheduler holds back for another coordinator.
    public var cellsHeldElsewhere: [CellKey] { heldElsewhere.map { keys[Int($0)] } }

    /// The claim on these held cells was released (their coordinator ended or died): they run
    /// here when ready.
    public mutating func releaseHeld(_ keys: [CellKey]) {
        for key in keys {
            guard let c = cellIndex[key], heldElsewhere.remove(c) != nil, states[Int(c)] == .blocked else { continue }
            let d = dependency[Int(c)]
            if d < 0 || (states[Int(d)] == .done && isUsable(d)) {
                setState(c, .queued)
                enqueue(c)
            }
        }
    }

    /// These held cells were finished by another coordinator: they are done here too. (A held
    /// pretrain cell's model is learnt from the store at the next start; its dependents wait.)
    public mutating func doneElsewhere(_ keys: [CellKey], now: SchedulerTime) -> [SchedulerAction] {
        for key in keys {
            guard let c = cellIndex[key], heldElsewhere.remove(c) != nil else { continue }
            if states[Int(c)] != .done && states[Int(c)] != .committing { setState(c, .done) }
        }
        return drainOutbox()
    }
}
