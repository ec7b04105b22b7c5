import Logging
import NoisyCore
import SweepCoordinator
import SweepKit
import SweepStore

func at(_ milliseconds: Int64) -> SchedulerTime { SchedulerTime(milliseconds: milliseconds) }

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A session over `cells` (heartbeat 100 ms × liveness 3, 3 attempts), its scheduler built as the coordinator builds it.
func makeSession(_ cells: [GridCell], maxAttempts: Int = 3) -> CoordinatorSession {
    let configuration = CoordinatorConfiguration(heartbeatMilliseconds: 100, liveness: 3, shutdownGraceMilliseconds: 500)
    let scheduler = Scheduler(cells: cells.map(ScheduledCell.init),
                              configuration: SchedulerConfiguration(maxAttempts: maxAttempts, heartbeatInterval: 100, liveness: 3))
    return CoordinatorSession(scheduler: scheduler, cells: cells, configuration: configuration, session: 99, logger: quietLogger)
}

func noopCells(_ count: Int) throws -> [GridCell] { try SweepPlan.noop(name: "t", count: count).cells }

/// One pre-training and its evaluate cells (2 tasks × lp).
func dagCells() throws -> [GridCell] {
    try Grid.parse(yaml: """
        noise_ratios: [0]
        tasks: [fmnist, mnist5k->digits]
        methods: [lp]
        seeds: 1
        pretrain: {epochs: 1}
        """).expand().cells
}

func ready(_ worker: WorkerID, slots: UInt32 = 2, capabilities: [String] = [Wire.Ready.resultFormatCapability]) -> WireMessage {
    .ready(Wire.Ready(worker: worker, incarnation: 1, pid: 7, slots: slots, softwareVersion: "test", host: "node",
                      capabilities: capabilities))
}

extension CoordinatorSession {
    /// Performs nothing: hands the outbox over and empties it.
    mutating func take() -> [Output] {
        defer { outbox.removeAll() }
        return outbox
    }

    /// Registers `worker` with `slots` slots and grants them as credit; the outputs are dropped.
    mutating func join(_ worker: WorkerID, slots: UInt32 = 2, now: SchedulerTime = at(0)) {
        received(ready(worker, slots: slots), from: worker, now: now)
        received(.credit(Wire.Credit(slots: slots)), from: worker, now: now)
        _ = take()
    }

    /// Dispatches and returns the ASSIGNs sent, accepted at once by their workers.
    mutating func assignAccepted(now: SchedulerTime) -> [(worker: WorkerID, assign: Wire.Assign)] {
        dispatch(now: now)
        let assigns = take().sent.flatMap { sent -> [(WorkerID, Wire.Assign)] in
            if case .assign(let batch) = sent.message { return batch.assignments.map { (sent.worker, $0) } } else { return [] }
        }
        for (worker, assign) in assigns { received(.accepted(Wire.Accepted(leases: [assign.lease])), from: worker, now: now) }
        _ = take()
        return assigns
    }
}

extension Array where Element == CoordinatorSession.Output {
    var sent: [(worker: WorkerID, message: WireMessage)] {
        compactMap { if case .send(let message, let worker) = $0 { (worker, message) } else { nil } }
    }
    var jobs: [StoreJob] { compactMap { if case .store(let job) = $0 { job } else { nil } } }
    var kinds: [MessageKind] { sent.map(\.message.kind) }
    /// The kinds of the event jobs (`worker_lost`, …).
    var events: [String] { jobs.compactMap { if case .event(let kind, _, _, _, _) = $0 { kind } else { nil } } }
}
