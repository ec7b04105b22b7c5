import NoisyCore
import SweepKit
import Testing

/// Command cells go only to workers that opted in (`commands` in READY) and whose tags cover the
/// cell's `requires:`; their evaluate cells go to any worker; a command cell no live worker may
/// run is reported, not silently waited on.
@Suite struct SchedulerCommandTests {
    let plain = WorkerID("plain"), runner = WorkerID("runner"), gpu = WorkerID("gpu")

    /// Two command cells (`k0`: any opted-in worker; `k1`: needs tag gpu), each with 4 evaluate cells.
    func cells() -> [ScheduledCell] {
        var cells = [ScheduledCell(key: cellKey("k0"), kind: .pretrain, requires: []),
                     ScheduledCell(key: cellKey("k1"), kind: .pretrain, requires: ["gpu"])]
        for k in 0..<2 {
            for e in 0..<4 {
                cells.append(ScheduledCell(key: cellKey("e\(k)-\(e)"), kind: .evaluate, dependency: cellKey("k\(k)"), task: "t\(e % 2)"))
            }
        }
        return cells
    }

    func register(_ scheduler: inout Scheduler, _ id: WorkerID, capabilities: [String], slots: Int = 4, now: Int64 = 0) {
        _ = scheduler.workerReady(id, slots: slots, capabilities: capabilities, now: at(now))
        _ = scheduler.credit(id, slots, now: at(now))
    }

    @Test func commandCellsGoOnlyToOptedInWorkersWithTheTags() {
        var scheduler = Scheduler(cells: cells())
        register(&scheduler, plain, capabilities: ["noop", Wire.Ready.resultFormatCapability])
        #expect(scheduler.dispatch(now: at(1)).assignments.isEmpty)
        #expect(scheduler.commandCellsWithoutWorker.map(\.requires) == [[], ["gpu"]])
        #expect(scheduler.commandCellsWithoutWorker.map(\.cells) == [1, 1])

        register(&scheduler, runner, capabilities: Wire.Ready.commandCapabilities(allowCommands: true, tags: ["cpu"]))
        let first = scheduler.dispatch(now: at(2)).assignments
        #expect(first.map(\.cell) == [cellKey("k0")])
        #expect(first.map(\.worker) == [runner])
        // k1 needs gpu: still no worker for it, and the status says so.
        #expect(scheduler.commandCellsWithoutWorker.map(\.requires) == [["gpu"]])

        // Tags without the opt-in are not enough.
        register(&scheduler, WorkerID("tagged-only"), capabilities: ["tag:gpu"])
        #expect(scheduler.dispatch(now: at(3)).assignments.isEmpty)
        register(&scheduler, gpu, capabilities: Wire.Ready.commandCapabilities(allowCommands: true, tags: ["gpu", "a100"]))
        let second = scheduler.dispatch(now: at(4)).assignments
        #expect(second.map(\.cell) == [cellKey("k1")])
        #expect(second.map(\.worker) == [gpu])
        #expect(scheduler.commandCellsWithoutWorker.isEmpty)
    }

    @Test func evaluateCellsOfACommandGoToAnyWorker() {
        var scheduler = Scheduler(cells: cells())
        register(&scheduler, plain, capabilities: [], slots: 8)
        register(&scheduler, runner, capabilities: Wire.Ready.commandCapabilities(allowCommands: true, tags: []), slots: 1)
        let assigned = scheduler.dispatch(now: at(1)).assignments
        #expect(assigned.map(\.cell) == [cellKey("k0")])
        _ = scheduler.accepted(runner, leases: assigned.map(\.lease), now: at(1))
        let sha = String(repeating: "ab", count: 32)
        _ = scheduler.result(runner, cell: cellKey("k0"), lease: assigned[0].lease, artifact: sha, now: at(2))
        _ = scheduler.artifactAvailable(sha, now: at(2))
        _ = scheduler.committed([cellKey("k0")], now: at(3))
        _ = scheduler.credit(runner, 1, now: at(3))
        let evaluates = scheduler.dispatch(now: at(4)).assignments
        #expect(Set(evaluates.map(\.cell)) == Set((0..<4).map { cellKey("e0-\($0)") }))
        #expect(evaluates.contains { $0.worker == plain })
    }

    @Test func aLostRunnersCommandCellWaitsForAnotherRunner() {
        var scheduler = Scheduler(cells: cells())
        register(&scheduler, runner, capabilities: Wire.Ready.commandCapabilities(allowCommands: true, tags: []))
        register(&scheduler, plain, capabilities: [])
        let assigned = scheduler.dispatch(now: at(1)).assignments
        #expect(assigned.map(\.cell) == [cellKey("k0")])
        _ = scheduler.workerLost(runner, reason: "killed", now: at(2))
        #expect(scheduler.state(of: cellKey("k0")) == .queued)
        #expect(scheduler.dispatch(now: at(3)).assignments.isEmpty)
        register(&scheduler, WorkerID("runner-2"), capabilities: [Wire.Ready.commandsCapability], now: 4)
        #expect(scheduler.dispatch(now: at(5)).assignments.map(\.cell) == [cellKey("k0")])
    }
}
