import NoisyCore
import SweepKit
import Testing

/// Results, commits, acknowledgements, failures and retries.
@Suite struct SchedulerResultTests {
    let a = WorkerID("a"), b = WorkerID("b")

    @Test func resultIsPersistedOnceThenAcknowledgedAfterCommit() {
        // Leases from 1,000: b's lease 77 is a predecessor coordinator's (taken in the first minute).
        var s = Scheduler(cells: plainCells(1), firstLeaseID: 1_000)
        _ = s.register(a, slots: 1, now: at(0))
        let lease = s.dispatch(now: at(0)).assignments[0].lease
        let actions = s.result(a, cell: cellKey("c0"), lease: lease, now: at(5))
        #expect(actions == [.persistResult(worker: a, cell: cellKey("c0"), lease: lease, index: 0, result: CellResult(accuracy: 0))])
        #expect(s.state(of: cellKey("c0")) == .committing)
        // Resends before the commit, and another worker's result for the same cell, are neither
        // persisted nor acknowledged yet; after the commit each (worker, lease) gets one ack.
        _ = s.register(b, slots: 1, now: at(5))
        #expect(s.result(a, cell: cellKey("c0"), lease: lease, now: at(6)).isEmpty)
        #expect(s.result(a, cell: cellKey("c0"), lease: lease, now: at(6)).isEmpty)
        #expect(s.result(b, cell: cellKey("c0"), lease: 77, now: at(6)).isEmpty)
        let committed = s.committed([cellKey("c0")], now: at(7))
        #expect(committed.acks.map { "\($0.0):\($0.2)" } == ["a:\(lease)", "b:77"])
        #expect(s.state(of: cellKey("c0")) == .done)
        // A resend after the commit is acknowledged at once, never persisted again.
        #expect(s.result(a, cell: cellKey("c0"), lease: lease, now: at(8)) == [.ack(worker: a, cell: cellKey("c0"), lease: lease)])
        #expect(s.committed([cellKey("c0")], now: at(9)).isEmpty)
        #expect(s.cellCounts.done == 1 && s.isFinished)
    }

    @Test func staleLeaseResultIsAcceptedOnceAndSupersedesTheNewAttempt() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(heartbeatInterval: 100, liveness: 3))
        _ = s.register(a, slots: 1, now: at(0))
        let old = s.dispatchAccepted(now: at(0))[0]
        // a goes silent (network cut); its cell is requeued and given to b.
        _ = s.register(b, slots: 1, now: at(250))
        let requeue = s.tick(now: at(301))
        #expect(requeue.lostWorkers == [a])
        let new = requeue.assignments[0]
        #expect(new.worker == b && new.attempt == 2)
        // a comes back, registers again and resends its result under the old lease.
        _ = s.register(a, slots: 1, now: at(400))
        let late = s.result(a, cell: old.cell, lease: old.lease, now: at(400))
        #expect(late.persisted == [old.cell])
        #expect(late.cancels.map(\.0) == [b])
        #expect(late.cancels.map(\.2) == [new.lease])
        #expect(s.leases(of: b).isEmpty)
        _ = s.committed([old.cell], now: at(410))
        // b's result for its cancelled lease: acknowledged as a duplicate, not written.
        let duplicate = s.result(b, cell: new.cell, lease: new.lease, now: at(420))
        #expect(duplicate.persisted.isEmpty && duplicate.acks.count == 1)
        // b's failure for it: ignored.
        #expect(s.failure(b, cell: new.cell, lease: new.lease, retryable: true, message: "x", now: at(430)).isEmpty)
        #expect(s.cellCounts.done == 1 && s.cellCounts.total == 1)
    }

    @Test func retryableFailuresRetryUntilMaxAttemptsThenFailWithLastError() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(maxAttempts: 3))
        _ = s.register(a, slots: 1, now: at(0))
        for attempt in 1...3 {
            let assigned = s.dispatch(now: at(Int64(attempt))).assignments
            #expect(assigned.map(\.attempt) == [attempt])
            let actions = s.failure(a, cell: assigned[0].cell, lease: assigned[0].lease, retryable: true,
                                    message: "crash \(attempt)", now: at(Int64(attempt)))
            _ = s.credit(a, 1, now: at(Int64(attempt)))
            if attempt < 3 {
                #expect(actions.requeued == [cellKey("c0")])
            } else {
                #expect(actions.failedCells == [cellKey("c0"): "crash 3"])
            }
        }
        #expect(s.state(of: cellKey("c0")) == .failed)
        #expect(s.attempts(of: cellKey("c0")) == 3)
        #expect(s.lastError(of: cellKey("c0")) == "crash 3")
        #expect(s.dispatch(now: at(10)).assignments.isEmpty)
        #expect(s.isFinished)
    }

    @Test func nonRetryableFailureFailsAtOnce() {
        var s = Scheduler(cells: plainCells(2), configuration: SchedulerConfiguration(maxAttempts: 5))
        _ = s.register(a, slots: 2, now: at(0))
        let assigned = s.dispatch(now: at(0)).assignments
        let actions = s.failure(a, cell: assigned[0].cell, lease: assigned[0].lease, retryable: false,
                                message: "NaN in training loss at epoch 3", now: at(1))
        #expect(actions.failedCells[assigned[0].cell] == "NaN in training loss at epoch 3")
        #expect(s.attempts(of: assigned[0].cell) == 1)
        #expect(s.state(of: assigned[1].cell) == .leased)
    }

    @Test func failureFromAnotherWorkerOrLeaseIsIgnored() {
        var s = Scheduler(cells: plainCells(1))
        _ = s.register(a, slots: 1, now: at(0))
        _ = s.register(b, slots: 1, now: at(0))
        let assigned = s.dispatch(now: at(0)).assignments[0]
        let other = assigned.worker == a ? b : a
        #expect(s.failure(other, cell: assigned.cell, lease: assigned.lease, retryable: false, message: "forged", now: at(1)).isEmpty)
        #expect(s.failure(assigned.worker, cell: assigned.cell, lease: assigned.lease + 1, retryable: false, message: "stale", now: at(1)).isEmpty)
        #expect(s.state(of: assigned.cell) == .leased)
    }

    @Test func unknownCellIsRejected() {
        var s = Scheduler(cells: plainCells(1))
        _ = s.register(a, slots: 1, now: at(0))
        let actions = s.result(a, cell: cellKey("nope"), lease: 1, now: at(0))
        #expect(actions == [.rejected(worker: a, cell: cellKey("nope"), reason: "no such cell in this sweep")])
    }

    @Test func lostResultsAreRequeuedWithoutCountingAnAttempt() {
        var s = Scheduler(cells: plainCells(1))
        _ = s.register(a, slots: 1, now: at(0))
        let assigned = s.dispatch(now: at(0)).assignments[0]
        _ = s.result(a, cell: assigned.cell, lease: assigned.lease, now: at(1))
        #expect(s.resultsLost([assigned.cell], now: at(2)).requeued == [assigned.cell])
        #expect(s.state(of: assigned.cell) == .queued)
        #expect(s.attempts(of: assigned.cell) == 1)
    }

    @Test func backlogOfUncommittedResultsStopsDispatch() {
        var s = Scheduler(cells: plainCells(10), configuration: SchedulerConfiguration(resultBacklogLimit: 2))
        _ = s.register(a, slots: 2, now: at(0))
        let first = s.dispatch(now: at(0)).assignments
        for x in first {
            _ = s.result(a, cell: x.cell, lease: x.lease, now: at(1))
            _ = s.credit(a, 1, now: at(1))
        }
        #expect(s.isBackPressured)
        #expect(s.dispatch(now: at(2)).assignments.isEmpty)
        _ = s.committed(first.map(\.cell), now: at(3))
        #expect(s.dispatch(now: at(3)).assignments.count == 2)
        s.setDispatchPaused(true)
        _ = s.credit(a, 2, now: at(4))
        #expect(s.dispatch(now: at(4)).assignments.isEmpty)
    }
}
