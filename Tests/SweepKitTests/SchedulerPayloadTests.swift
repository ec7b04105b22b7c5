import NoisyCore
import SweepKit
import Testing

/// Actions carry what the driver needs: the cell's index and model in ASSIGN, the result in
/// persist, the worker's reason in worker-left; the unreachable-worker policy.
@Suite struct SchedulerPayloadTests {
    let a = WorkerID("a")

    @Test func anAssignmentNamesItsCellsIndexAndItsPretrainingsModel() {
        let cells = dagCells(pretrains: 2, tasks: ["t"], methods: 1)
        var s = Scheduler(cells: cells)
        _ = s.register(a, slots: 2, now: at(0))
        let pretrains = s.dispatch(now: at(0)).compactMap { action -> (CellKey, Int, String?)? in
            if case .assign(_, let cell, _, _, let index, let model) = action { return (cell, index, model) } else { return nil }
        }
        #expect(pretrains.map(\.1) == [0, 1] && pretrains.map(\.0) == [cells[0].key, cells[1].key])
        #expect(pretrains.allSatisfy { $0.2 == nil })
        for (i, x) in s.leases(of: a).enumerated() {
            let model = "model-\(i)"
            let persisted = s.result(a, cell: cells[i].key, lease: x, result: CellResult(accuracy: 0.5, artifactSHA256: model), now: at(1))
            #expect(persisted == [.persistResult(worker: a, cell: cells[i].key, lease: x, index: i,
                                                 result: CellResult(accuracy: 0.5, artifactSHA256: model))])
            _ = s.committed([cells[i].key], now: at(1))
            _ = s.artifactAvailable(model, now: at(1))
        }
        _ = s.credit(a, 2, now: at(2))
        let evaluates = s.dispatch(now: at(2)).compactMap { action -> (Int, String?)? in
            if case .assign(_, _, _, _, let index, let model) = action { return (index, model) } else { return nil }
        }
        #expect(evaluates.count == 2)
        for (index, model) in evaluates {
            #expect(index >= 2 && s.index(of: cells[index].key) == index)
            #expect(model == (cells[index].dependency == cells[0].key ? "model-0" : "model-1"))
        }
        #expect(s.index(of: cellKey("nope")) == nil && s.cellCount == cells.count)
    }

    @Test func aKeyGivenTwiceIsIndexedOnceAtItsFirstPlace() {
        let cells = plainCells(3)
        let s = Scheduler(cells: [cells[0], cells[1], cells[0], cells[2]])
        #expect(s.cellCount == 3 && s.index(of: cells[2].key) == 2)
    }

    @Test func aWorkerThatLeavesIsRecordedWithItsOwnReason() {
        var s = Scheduler(cells: plainCells(1))
        _ = s.register(a, slots: 1, now: at(0))
        #expect(s.aliveWorkers == [a])
        let left = s.workerLeft(a, reason: "worker stopping", now: at(1))
        #expect(left.contains(.workerLeft(worker: a, reason: "worker \(a) left: worker stopping")))
        #expect(s.aliveWorkers.isEmpty)
    }

    @Test func aConnectionGoneIsALossChargedByGuilt() {
        var s = Scheduler(cells: plainCells(1))
        _ = s.register(a, slots: 1, now: at(0))
        let x = s.dispatchAccepted(now: at(0))[0]
        let lost = s.connectionGone(a, now: at(1))
        #expect(lost.lostWorkers == [a] && lost.requeued == [x.cell])
        #expect(s.attempts(of: x.cell) == 1)
        #expect(s.connectionGone(a, now: at(2)).isEmpty)
    }
}
