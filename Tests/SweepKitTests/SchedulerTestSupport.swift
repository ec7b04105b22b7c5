import NoisyCore
import SweepKit

func cellKey(_ name: String) -> CellKey { CellKey(sha256Of: Array(name.utf8)) }
func at(_ milliseconds: Int64) -> SchedulerTime { SchedulerTime(milliseconds: milliseconds) }

/// Independent cells `c0`, `c1`, … (pretrain kind, no dependency).
func plainCells(_ n: Int) -> [ScheduledCell] {
    (0..<n).map { ScheduledCell(key: cellKey("c\($0)"), kind: .pretrain) }
}

/// One pretrain cell `p<i>` per entry, each with evaluate cells `e<i>-<task>-<m>` for the given tasks × methods.
func dagCells(pretrains: Int, tasks: [String], methods: Int) -> [ScheduledCell] {
    var cells: [ScheduledCell] = []
    for p in 0..<pretrains { cells.append(ScheduledCell(key: cellKey("p\(p)"), kind: .pretrain)) }
    for p in 0..<pretrains {
        for task in tasks {
            for m in 0..<methods {
                cells.append(ScheduledCell(key: cellKey("e\(p)-\(task)-\(m)"), kind: .evaluate, dependency: cellKey("p\(p)"), task: task))
            }
        }
    }
    return cells
}

struct Assignment: Hashable {
    var worker: WorkerID
    var cell: CellKey
    var lease: LeaseID
    var attempt: Int
}

extension Array where Element == SchedulerAction {
    var assignments: [Assignment] {
        compactMap {
            if case .assign(let w, let c, let l, let a, _, _) = $0 { return Assignment(worker: w, cell: c, lease: l, attempt: a) }
            return nil
        }
    }
    var persisted: [CellKey] {
        compactMap { if case .persistResult(_, let c, _, _, _) = $0 { return c } else { return nil } }
    }
    var acks: [(WorkerID, CellKey, LeaseID)] {
        compactMap { if case .ack(let w, let c, let l) = $0 { return (w, c, l) } else { return nil } }
    }
    var failedCells: [CellKey: String] {
        var out: [CellKey: String] = [:]
        for case .cellFailed(let c, _, let e) in self { out[c] = e }
        return out
    }
    var requeued: [CellKey] {
        compactMap { if case .cellRequeued(let c, _, _) = $0 { return c } else { return nil } }
    }
    var heartbeats: [WorkerID] {
        compactMap { if case .heartbeat(let w) = $0 { return w } else { return nil } }
    }
    var lostWorkers: [WorkerID] {
        compactMap { if case .workerLost(let w, _) = $0 { return w } else { return nil } }
    }
    var cancels: [(WorkerID, CellKey, LeaseID)] {
        compactMap { if case .cancel(let w, let c, let l) = $0 { return (w, c, l) } else { return nil } }
    }
}

extension Scheduler {
    /// A result whose only content is the model it names (what the scheduler looks at).
    mutating func result(_ id: WorkerID, cell: CellKey, lease: LeaseID, artifact: String? = nil,
                         now: SchedulerTime) -> [SchedulerAction] {
        result(id, cell: cell, lease: lease, result: CellResult(accuracy: 0, artifactSHA256: artifact), now: now)
    }

    /// Registers a worker and grants its free slots as credit, as a real worker does after WELCOME
    /// (registering alone grants nothing).
    mutating func register(_ id: WorkerID, slots: Int, artifacts: [String] = [], running: [LeaseID] = [],
                           now: SchedulerTime) -> [SchedulerAction] {
        let actions = workerReady(id, slots: slots, artifacts: artifacts, running: running, now: now)
        let free = slots - leases(of: id).count
        return actions + (free > 0 ? credit(id, free, now: now) : [])
    }

    /// Assigns what dispatch gives at `now` and has each worker accept its assignments at once.
    mutating func dispatchAccepted(now: SchedulerTime) -> [Assignment] {
        let assigned = dispatch(now: now).assignments
        for (worker, group) in Dictionary(grouping: assigned, by: \.worker) {
            _ = accepted(worker, leases: group.map(\.lease), now: now)
        }
        return assigned
    }
}
