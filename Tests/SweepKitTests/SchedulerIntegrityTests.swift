import NoisyCore
import SweepKit
import Testing

/// Issue 14 in the scheduler: crashes charge only the guilty cell, credit only as asked, attempts
/// only for accepted leases, results only under leases issued to their sender, models that must
/// exist. On an injected clock, no sockets.
@Suite struct SchedulerIntegrityTests {
    let config = SchedulerConfiguration(maxAttempts: 1, heartbeatInterval: 100, liveness: 3)
    let a = WorkerID("a"), b = WorkerID("b"), c = WorkerID("c")

    @Test func aRegisteredPeerGetsNothingUntilItGrantsCredit() {
        var s = Scheduler(cells: plainCells(4), configuration: config)
        _ = s.workerReady(a, slots: 4, now: at(0))
        #expect(s.credit(of: a) == 0)
        #expect(s.dispatch(now: at(0)).assignments.isEmpty)
        _ = s.credit(a, 2, now: at(1))
        #expect(s.dispatch(now: at(1)).assignments.count == 2)
        // A READY again (a reconnect) resets the balance: nothing more until it asks.
        _ = s.workerReady(a, slots: 4, running: s.leases(of: a), now: at(2))
        #expect(s.dispatch(now: at(2)).assignments.isEmpty)
    }

    /// One crash cell among eight on an eight-slot worker, with `max_attempts` 1: the old rule (an
    /// attempt to every cell the dead worker held) failed all eight at the first crash.
    @Test func aCrashChargesOnlyTheCellThatCrashesAlone() {
        var s = Scheduler(cells: plainCells(8), configuration: config)
        let crashCell = cellKey("c3")
        var now: Int64 = 0
        _ = s.register(a, slots: 8, now: at(now))
        let first = s.dispatchAccepted(now: at(now))
        #expect(first.count == 8)
        // The process dies with all eight: nobody is charged, all eight are suspects.
        let lost = s.workerLost(a, reason: "crashed", now: at(now + 10))
        #expect(lost.failedCells.isEmpty)
        #expect(Set(lost.requeued) == Set(first.map(\.cell)))
        for cell in first.map(\.cell) {
            #expect(s.attempts(of: cell) == 0 && s.isSuspect(cell))
        }
        // The restarted worker (eight slots, full credit) gets one suspect at a time, alone.
        var ranAlone: [CellKey] = []
        var worker = 0
        while !s.isFinished && now < 100_000 {
            now += 100
            let id = WorkerID("w\(worker)")
            if !s.isAlive(id) { _ = s.register(id, slots: 8, now: at(now)) }
            let batch = s.dispatchAccepted(now: at(now))
            guard !batch.isEmpty else { continue }
            #expect(batch.count == 1, "a suspect runs alone: \(batch.count) assigned")
            #expect(s.leases(of: id).count == 1)
            #expect(s.dispatch(now: at(now + 1)).assignments.isEmpty, "nothing joins a suspect on its worker")
            let cell = batch[0].cell
            ranAlone.append(cell)
            if cell == crashCell {
                _ = s.workerLost(id, reason: "crashed", now: at(now + 50))
                worker += 1
            } else {
                _ = s.result(id, cell: cell, lease: batch[0].lease, now: at(now + 50))
                _ = s.committed([cell], now: at(now + 50))
                _ = s.credit(id, 1, now: at(now + 50))
            }
        }
        #expect(s.isFinished)
        #expect(Set(ranAlone) == Set(first.map(\.cell)))
        #expect(s.cellCounts.done == 7 && s.cellCounts.failed == 1)
        #expect(s.state(of: crashCell) == .failed)
        #expect(s.attempts(of: crashCell) == 1)
        #expect(s.lastError(of: crashCell)?.contains("crashed") == true)
    }

    @Test func suspectsWaitForAnEmptyWorkerWhichGetsNoNewWork() {
        var s = Scheduler(cells: plainCells(12), configuration: SchedulerConfiguration(maxAttempts: 3, heartbeatInterval: 100))
        _ = s.register(a, slots: 2, now: at(0))
        _ = s.register(b, slots: 4, now: at(0))
        let first = s.dispatchAccepted(now: at(0))
        #expect(first.count == 6)
        _ = s.workerLost(a, reason: "crashed", now: at(10))
        // b is busy: it is held back from new work until it is empty, then takes a suspect alone.
        _ = s.register(c, slots: 0, now: at(20))
        #expect(s.dispatch(now: at(20)).assignments.isEmpty)
        for lease in first.filter({ $0.worker == b }) {
            _ = s.result(b, cell: lease.cell, lease: lease.lease, now: at(30))
            _ = s.committed([lease.cell], now: at(30))
        }
        _ = s.credit(b, 4, now: at(30))
        let next = s.dispatchAccepted(now: at(30))
        #expect(next.count == 1 && s.isSuspect(next[0].cell))
    }

    @Test func leasesNeverAcceptedAreNotChargedWhenTheirWorkerGoesSilent() {
        var s = Scheduler(cells: plainCells(4), configuration: SchedulerConfiguration(maxAttempts: 2, heartbeatInterval: 100, liveness: 3))
        // A peer asks for four cells and is never heard of again.
        _ = s.register(a, slots: 4, now: at(0))
        #expect(s.dispatch(now: at(0)).assignments.count == 4)
        let actions = s.tick(now: at(301))
        #expect(actions.lostWorkers == [a])
        #expect(actions.failedCells.isEmpty)
        for i in 0..<4 { #expect(s.attempts(of: cellKey("c\(i)")) == 0) }
        // Alone and never accepted: charged only at the third such loss.
        s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(maxAttempts: 2, heartbeatInterval: 100, liveness: 3))
        var now: Int64 = 400
        var charged: [Int] = []
        for round in 1...3 {
            let id = WorkerID("silent-\(round)")
            _ = s.register(id, slots: 1, now: at(now))
            let got = s.dispatch(now: at(now)).assignments
            #expect(got.count == 1)
            now += 301
            _ = s.tick(now: at(now))
            charged.append(s.attempts(of: got[0].cell) ?? -1)
            now += 1
        }
        #expect(charged == [0, 0, 1])
    }

    @Test func anAcceptedLoneLeaseIsChargedWhenItsWorkerDies() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(maxAttempts: 2, heartbeatInterval: 100))
        _ = s.register(a, slots: 1, now: at(0))
        let lease = s.dispatchAccepted(now: at(0))[0]
        _ = s.tick(now: at(301))
        #expect(s.attempts(of: lease.cell) == 1)
        #expect(s.state(of: lease.cell) == .queued)
    }

    @Test func resultsAreTakenOnlyUnderLeasesIssuedToTheirSender() {
        var s = Scheduler(cells: plainCells(3), configuration: SchedulerConfiguration(heartbeatInterval: 100), firstLeaseID: 1_000)
        _ = s.register(a, slots: 1, now: at(0))
        _ = s.register(b, slots: 1, now: at(0))
        let assigned = s.dispatchAccepted(now: at(0))
        let ofA = assigned.first { $0.worker == a }!, ofB = assigned.first { $0.worker == b }!
        // b claims a's cell under a's lease; then a cell nobody was given, under a made-up lease.
        let stolen = s.result(b, cell: ofA.cell, lease: ofA.lease, now: at(1))
        #expect(stolen.persisted.isEmpty && stolen.contains { if case .rejected = $0 { true } else { false } })
        #expect(s.state(of: ofA.cell) == .leased)
        let never = cellKey("c2")
        #expect(s.state(of: never) == .queued)
        let forged = s.result(b, cell: never, lease: 1_000 + 77, now: at(1))
        #expect(forged.persisted.isEmpty)
        #expect(s.state(of: never) == .queued)
        // b's own result is taken.
        #expect(s.result(b, cell: ofB.cell, lease: ofB.lease, now: at(2)).persisted == [ofB.cell])
        // A late result of a superseded lease is taken: a dies, its cell goes to b, a's result arrives.
        _ = s.tick(now: at(500))
        _ = s.register(a, slots: 1, now: at(500))
        _ = s.committed([ofB.cell], now: at(500))
        #expect(s.result(a, cell: ofA.cell, lease: ofA.lease, now: at(501)).persisted == [ofA.cell])
    }

    @Test func aPredecessorsLeaseIsTakenOnlyWithinTheWindow() {
        var configuration = SchedulerConfiguration(heartbeatInterval: 100)
        configuration.predecessorResultWindow = 1_000
        var s = Scheduler(cells: plainCells(2), configuration: configuration, firstLeaseID: 1_000)
        _ = s.tick(now: at(0))
        _ = s.workerReady(a, slots: 1, now: at(10))
        #expect(s.result(a, cell: cellKey("c0"), lease: 5, now: at(900)).persisted == [cellKey("c0")])
        _ = s.heard(from: a, now: at(1_100))
        #expect(s.result(a, cell: cellKey("c1"), lease: 6, now: at(1_100)).persisted.isEmpty)
        #expect(s.state(of: cellKey("c1")) == .queued)
    }

    @Test func anInvalidResultIsAcknowledgedNotStoredAndItsAttemptCounts() {
        var s = Scheduler(cells: plainCells(1), configuration: SchedulerConfiguration(maxAttempts: 2, heartbeatInterval: 100))
        _ = s.register(a, slots: 1, now: at(0))
        let lease = s.dispatchAccepted(now: at(0))[0]
        let actions = s.invalidResult(a, cell: lease.cell, lease: lease.lease, reason: "accuracy 7.5 is not in [0, 1]", now: at(1))
        #expect(actions.persisted.isEmpty)
        #expect(actions.acks.count == 1)
        #expect(actions.requeued == [lease.cell])
        #expect(s.attempts(of: lease.cell) == 1)
        #expect(s.lastError(of: lease.cell)?.contains("7.5") == true)
    }

    @Test func aPretrainMarkedDoneWithoutAStoredModelRunsAgainOnRebuild() {
        let cells = dagCells(pretrains: 2, tasks: ["t"], methods: 2)
        let persisted = [PersistedCell(key: cellKey("p0"), state: .done, attempts: 1, artifact: nil),
                         PersistedCell(key: cellKey("p1"), state: .done, attempts: 1, artifact: "m1")]
        // p0 forged (no model), p1's model is not in the store either.
        var s = Scheduler(cells: cells, persisted: persisted)
        #expect(s.state(of: cellKey("p0")) == .queued)
        #expect(s.state(of: cellKey("p1")) == .queued)
        #expect(s.state(of: cellKey("e0-t-0")) == .blocked)
        #expect(s.cellCounts.failed == 0)
        // With p1's model stored, p1 stays done and its dependents are ready.
        s = Scheduler(cells: cells, persisted: persisted, availableArtifacts: ["m1"])
        #expect(s.state(of: cellKey("p1")) == .done)
        #expect(s.state(of: cellKey("e1-t-0")) == .queued)
    }

    @Test func aModelMissingFromTheStoreRerunsItsPretraining() {
        let cells = dagCells(pretrains: 1, tasks: ["t"], methods: 2)
        var s = Scheduler(cells: cells, persisted: [PersistedCell(key: cellKey("p0"), state: .done, attempts: 1, artifact: "m0")],
                          availableArtifacts: ["m0"])
        #expect(s.state(of: cellKey("e0-t-0")) == .queued)
        let actions = s.artifactMissing("m0", now: at(0))
        #expect(actions.requeued == [cellKey("p0")])
        #expect(s.state(of: cellKey("p0")) == .queued)
        #expect(s.state(of: cellKey("e0-t-0")) == .blocked && s.state(of: cellKey("e0-t-1")) == .blocked)
        // An artifact nobody made changes nothing.
        #expect(s.artifactMissing("unknown", now: at(1)).isEmpty)
    }
}

/// The value checks of a result at the coordinator's door.
@Suite struct ResultCheckTests {
    func cell(_ spec: CellSpec, kind: CellKind) throws -> GridCell {
        let json = try CanonicalJSON.encode(spec)
        return GridCell(key: CellKey(canonicalJSON: json), kind: kind, spec: spec, canonicalJSON: json, dependency: nil)
    }

    @Test func impossibleValuesAreRefusedWithTheFieldNamed() throws {
        let noop = try cell(.noop(NoopSpec(index: 0, sleepMilliseconds: 0, fault: nil)), kind: .evaluate)
        #expect(noop.problem(with: CellResult(accuracy: 1, sve: 0, lsvr: 0)) == nil)
        #expect(noop.problem(with: CellResult(accuracy: 0)) == nil)
        for bad in [7.5, -3, .nan, .infinity, -.infinity] {
            let problem = noop.problem(with: CellResult(accuracy: bad, sve: 0, lsvr: 0))
            #expect(problem?.hasPrefix("accuracy") == true, "\(bad): \(problem ?? "accepted")")
        }
        #expect(noop.problem(with: CellResult(accuracy: 0.5, sve: .nan, lsvr: 0))?.hasPrefix("sve") == true)
        #expect(noop.problem(with: CellResult(accuracy: 0.5, sve: 1, lsvr: -.infinity))?.hasPrefix("lsvr") == true)
        #expect(noop.problem(with: CellResult(accuracy: 0.5, realisedNoise: 1.5))?.hasPrefix("realised_noise") == true)
        #expect(noop.problem(with: CellResult(accuracy: 0.5, artifactSHA256: String(repeating: "a", count: 64))) != nil)
    }

    @Test func aPretrainResultMustNameItsModel() throws {
        let pretrain = try cell(.pretrain(PretrainSpec(noiseRatio: 0.1, seed: 1)), kind: .pretrain)
        #expect(pretrain.problem(with: CellResult(accuracy: 0.8))?.contains("no model") == true)
        #expect(pretrain.problem(with: CellResult(accuracy: 0.8, artifactSHA256: "xyz"))?.contains("not a SHA-256") == true)
        #expect(pretrain.problem(with: CellResult(accuracy: 0.8, artifactSHA256: String(repeating: "0f", count: 32))) == nil)
    }
}
