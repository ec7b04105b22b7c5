import SweepKit
import Testing

/// Leases, heartbeats and dead workers, on an injected clock.
@Suite struct SchedulerLivenessTests {
    let config = SchedulerConfiguration(maxAttempts: 3, heartbeatInterval: 1_000, liveness: 3)
    let a = WorkerID("a"), b = WorkerID("b")

    @Test func silentWorkerIsDeadAndItsAcceptedCellRequeuesWithTheAttemptCounted() throws {
        var s = Scheduler(cells: plainCells(1), configuration: config)
        _ = s.register(a, slots: 1, now: at(0))
        let first = s.dispatchAccepted(now: at(0))
        #expect(first.count == 1 && first.allSatisfy { $0.worker == a && $0.attempt == 1 })
        // Not yet dead at exactly liveness × interval.
        #expect(s.tick(now: at(3_000)).lostWorkers.isEmpty)
        let actions = s.tick(now: at(3_001))
        #expect(actions.lostWorkers == [a])
        #expect(actions.requeued == first.map(\.cell))
        #expect(!s.isAlive(a))
        #expect(s.cellCounts.queued == 1)
        #expect(s.attempts(of: first[0].cell) == 1)
        // Another worker picks it up as attempt 2.
        _ = s.register(b, slots: 4, now: at(3_100))
        let second = s.dispatch(now: at(3_100)).assignments
        #expect(second.map(\.cell) == first.map(\.cell))
        #expect(second.allSatisfy { $0.worker == b && $0.attempt == 2 })
    }

    @Test func anyMessageKeepsAWorkerAlive() {
        var s = Scheduler(cells: plainCells(1), configuration: config)
        _ = s.register(a, slots: 1, now: at(0))
        _ = s.dispatch(now: at(0))
        var heartbeatsSent = 0
        // 90 s on a 100 ms tick; the worker speaks every 900 ms.
        for step in 1...900 {
            let now = at(Int64(step) * 100)
            if step % 9 == 0 { _ = s.heard(from: a, now: now) }
            let actions = s.tick(now: now)
            #expect(actions.lostWorkers.isEmpty)
            heartbeatsSent += actions.heartbeats.count
        }
        #expect(s.isAlive(a))
        #expect(s.cellCounts.leased == 1)
        // One heartbeat per interval while the coordinator has nothing else to say: 90.
        #expect(heartbeatsSent == 90)
    }

    @Test func heartbeatsGoOnlyToWorkersDue() {
        var s = Scheduler(cells: plainCells(1), configuration: config)
        _ = s.register(a, slots: 1, now: at(0))
        _ = s.register(b, slots: 0, now: at(500))
        // The tick dispatches the one cell to a: an assignment counts as a message to it.
        let first = s.tick(now: at(999))
        #expect(first.assignments.map(\.worker) == [a])
        #expect(first.heartbeats.isEmpty)
        _ = s.heard(from: a, now: at(999))
        _ = s.heard(from: b, now: at(999))
        #expect(s.tick(now: at(1_000)).heartbeats.isEmpty)
        #expect(s.tick(now: at(1_500)).heartbeats == [b])
        #expect(s.tick(now: at(1_998)).heartbeats.isEmpty)
        #expect(s.tick(now: at(1_999)).heartbeats == [a])
    }

    @Test func onlyTheDeadWorkersCellsRequeue() {
        var s = Scheduler(cells: plainCells(4), configuration: config)
        _ = s.register(a, slots: 2, now: at(0))
        _ = s.register(b, slots: 2, now: at(0))
        let assigned = s.dispatch(now: at(0)).assignments
        #expect(assigned.count == 4)
        _ = s.heard(from: b, now: at(2_500))
        let actions = s.tick(now: at(3_500))
        #expect(actions.lostWorkers == [a])
        #expect(Set(actions.requeued) == Set(assigned.filter { $0.worker == a }.map(\.cell)))
        #expect(s.leases(of: b).count == 2)
        #expect(s.cellCounts.leased == 2 && s.cellCounts.queued == 2)
    }

    @Test func lostWorkerOnLastAttemptFailsTheCell() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(maxAttempts: 2, heartbeatInterval: 100, liveness: 2))
        var now: Int64 = 0
        for round in 1...2 {
            let w = WorkerID("w\(round)")
            _ = s.register(w, slots: 1, now: at(now))
            #expect(s.dispatchAccepted(now: at(now)).map(\.attempt) == [round])
            now += 201
            _ = s.tick(now: at(now))
        }
        #expect(s.state(of: cellKey("c0")) == .failed)
        #expect(s.lastError(of: cellKey("c0"))?.contains("worker w2 lost: silent for 201 ms") == true)
        #expect(s.isFinished)
    }

    @Test func leaseOverItsTimeLimitIsCancelledAndRequeued() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(heartbeatInterval: 1_000, liveness: 3, maxLeaseDuration: 10_000))
        _ = s.register(a, slots: 1, now: at(0))
        let lease = s.dispatchAccepted(now: at(0))[0].lease
        for second in 1...9 {
            _ = s.heard(from: a, now: at(Int64(second) * 1_000))
            #expect(s.tick(now: at(Int64(second) * 1_000)).cancels.isEmpty)
        }
        _ = s.heard(from: a, now: at(10_000))
        let actions = s.tick(now: at(10_000))
        #expect(actions.cancels.map(\.2) == [lease])
        #expect(actions.requeued == [cellKey("c0")])
        #expect(s.isAlive(a))
        // Its slot is still busy until the worker grants credit again.
        #expect(s.credit(of: a) == 0)
        _ = s.credit(a, 1, now: at(10_100))
        #expect(s.dispatch(now: at(10_100)).assignments.map(\.attempt) == [2])
    }

    @Test func leavingWorkerReturnsCellsWithoutCountingAttempts() {
        var s = Scheduler(cells: plainCells(2), configuration: config)
        _ = s.register(a, slots: 2, now: at(0))
        _ = s.dispatch(now: at(0))
        let actions = s.workerLeft(a, now: at(10))
        #expect(actions.requeued.count == 2)
        #expect(actions.contains(.workerLeft(worker: a, reason: "worker \(a) left")) && actions.lostWorkers.isEmpty)
        #expect(s.attempts(of: cellKey("c0")) == 0)
        #expect(s.workerCount == 0)
    }

    @Test func reRegisteringWorkerKeepsTheLeasesItStillRuns() {
        var s = Scheduler(cells: plainCells(2), configuration: config)
        _ = s.register(a, slots: 2, now: at(0))
        let assigned = s.dispatch(now: at(0)).assignments
        let actions = s.register(a, slots: 2, running: [assigned[0].lease], now: at(100))
        #expect(actions.requeued == [assigned[1].cell])
        #expect(s.leases(of: a) == [assigned[0].lease])
        #expect(s.attempts(of: assigned[1].cell) == 0)
        #expect(s.credit(of: a) == 1)
    }

    @Test func churningWorkersReuseSlotsAndKeepServing() {
        var s = Scheduler(cells: plainCells(1_000), configuration: SchedulerConfiguration(heartbeatInterval: 10, liveness: 1))
        var now: Int64 = 0
        var completed = 0
        // 1,000 short-lived workers, each registering, taking one cell, finishing it and vanishing.
        for i in 0..<1_000 {
            let w = WorkerID("short-lived-\(i)")
            _ = s.register(w, slots: 1, now: at(now))
            for x in s.dispatch(now: at(now)).assignments {
                _ = s.result(w, cell: x.cell, lease: x.lease, now: at(now))
                completed += s.committed([x.cell], now: at(now)).acks.count
            }
            now += 11
            #expect(s.tick(now: at(now)).lostWorkers == [w])
        }
        #expect(completed == 1_000)
        #expect(s.workerCount == 0 && s.isFinished)
    }

    @Test func messagesFromUnknownWorkersAskThemToRegister() {
        var s = Scheduler(cells: plainCells(1), configuration: config)
        #expect(s.heard(from: a, now: at(0)) == [.unknownWorker(worker: a)])
        #expect(s.result(a, cell: cellKey("c0"), lease: 1, now: at(0)) == [.unknownWorker(worker: a)])
        #expect(s.state(of: cellKey("c0")) == .queued)
    }
}
