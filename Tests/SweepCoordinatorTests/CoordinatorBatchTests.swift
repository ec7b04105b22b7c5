import NoisyCore
import SweepCoordinator
import SweepKit
import SweepStore
import Testing

/// Protocol version 2 in the coordinator: one ASSIGN per worker per round, several results per
/// RESULT, each acknowledged only after its commit.
@Suite struct CoordinatorBatchTests {
    let a = WorkerID("a"), b = WorkerID("b")

    @Test func aDispatchRoundSendsEachWorkerOneAssignWithAllItsCells() throws {
        var session = makeSession(try noopCells(10))
        session.join(a, slots: 3)
        session.join(b, slots: 2)
        session.dispatch(now: at(1))
        let sent = session.take().sent
        #expect(sent.count == 2, "one message per worker, not one per cell")
        var perWorker: [WorkerID: [Wire.Assign]] = [:]
        for (worker, message) in sent {
            guard case .assign(let batch) = message else { Issue.record("\(message.kind)"); continue }
            perWorker[worker, default: []] += batch.assignments
        }
        #expect(perWorker[a]?.count == 3 && perWorker[b]?.count == 2)
        let leases = perWorker.values.flatMap { $0.map(\.lease) }
        #expect(Set(leases).count == 5, "each assignment keeps a lease of its own")
        #expect(session.assigned == 5)
    }

    @Test func severalResultsInOneMessageAreStoredAndAcknowledgedTogetherAfterTheirCommit() throws {
        var session = makeSession(try noopCells(3))
        session.join(a, slots: 3)
        let assigns = session.assignAccepted(now: at(1)).map(\.assign)
        #expect(assigns.count == 3)
        let reports = assigns.map { Wire.ResultReport(cell: $0.cell, lease: $0.lease, attempt: 1, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0)) }
        session.received(.result(Wire.ResultBatch(reports)), from: a, now: at(2))
        let stored = session.take().jobs.compactMap { if case .result(let key, _) = $0 { key } else { nil } }
        #expect(stored == assigns.map(\.cell))
        session.flushAcks()
        #expect(session.take().isEmpty, "no ACK before the commit")
        session.stored(.committed(stored), now: at(3))
        session.flushAcks()
        let acks = session.take().sent
        guard acks.count == 1, case .ack(let ack) = acks[0].message else { Issue.record("\(acks)"); return }
        #expect(ack.cells == stored)
        #expect(session.scheduler.isFinished)
    }

    /// The store gives up on a batch (the database refused it): nothing of it is acknowledged, so
    /// its worker keeps every result; the cells are queued again, and the results sent again later
    /// are stored then. Nothing is lost, nothing is counted twice.
    @Test func aBatchWhoseCommitFailsIsNeitherAcknowledgedNorLost() throws {
        var session = makeSession(try noopCells(3))
        session.join(a, slots: 3)
        let assigns = session.assignAccepted(now: at(1)).map(\.assign)
        let reports = assigns.map { Wire.ResultReport(cell: $0.cell, lease: $0.lease, attempt: 1, result: CellResult(accuracy: 0.5, sve: 0, lsvr: 0)) }
        session.received(.result(Wire.ResultBatch(reports)), from: a, now: at(2))
        _ = session.take()
        session.stored(.lost(assigns.map(\.cell), "the database refused the results"), now: at(3))
        session.flushAcks()
        let afterLoss = session.take()
        #expect(!afterLoss.kinds.contains(.ack), "a result not committed is never acknowledged")
        #expect(afterLoss.jobs.filter { if case .cellOutcome(_, .queued, _, _) = $0 { true } else { false } }.count == 3)
        #expect(session.scheduler.cellCounts.done == 0 && !session.scheduler.isFinished)
        // The worker still holds the three results and sends them again (after a reconnect, say).
        session.received(.result(Wire.ResultBatch(reports)), from: a, now: at(4))
        let again = session.take().jobs.compactMap { if case .result(let key, _) = $0 { key } else { nil } }
        #expect(Set(again) == Set(assigns.map(\.cell)), "each result is stored exactly once more")
        session.stored(.committed(again), now: at(5))
        session.flushAcks()
        let acked = session.take().sent.flatMap { sent -> [CellKey] in if case .ack(let ack) = sent.message { ack.cells } else { [] } }
        #expect(Set(acked) == Set(assigns.map(\.cell)))
        #expect(session.scheduler.cellCounts.done == 3 && session.scheduler.isFinished)
    }
}
