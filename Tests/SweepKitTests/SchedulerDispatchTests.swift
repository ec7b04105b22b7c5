import NoisyCore
import SweepKit
import Testing

/// Credit, locality, dependencies and rebuilding.
@Suite struct SchedulerDispatchTests {
    let a = WorkerID("a"), b = WorkerID("b"), c = WorkerID("c")

    /// A seeded random history of events: no worker ever holds more leases than its slots, and
    /// no worker is assigned more than the credit it was given.
    @Test func creditIsNeverExceeded() {
        var rng = RandomStream(seed: 42)
        var s = Scheduler(cells: plainCells(2_000), configuration: SchedulerConfiguration(maxAssignmentsPerDispatch: 64))
        let ids = (0..<8).map { WorkerID("w\($0)") }
        var slots: [WorkerID: Int] = [:]
        var granted: [WorkerID: Int] = [:]
        var assignedCount: [WorkerID: Int] = [:]
        var open: [Assignment] = []
        for (i, id) in ids.enumerated() {
            slots[id] = 1 + i % 4
            granted[id] = slots[id]!
            _ = s.register(id, slots: slots[id]!, now: at(0))
        }
        for step in 1...5_000 {
            let now = at(Int64(step))
            let roll = rng.nextInt(below: 4)
            if roll == 0 || open.isEmpty {
                let actions = s.dispatch(now: now)
                open += actions.assignments
                for x in actions.assignments { assignedCount[x.worker, default: 0] += 1 }
            } else {
                let x = open.remove(at: rng.nextInt(below: open.count))
                if roll == 1 {
                    _ = s.failure(x.worker, cell: x.cell, lease: x.lease, retryable: true, message: "boom", now: now)
                } else {
                    _ = s.result(x.worker, cell: x.cell, lease: x.lease, now: now)
                    _ = s.committed([x.cell], now: now)
                }
                // A misbehaving worker grants more than it freed: clipped to its slots.
                let extra = rng.nextInt(below: 3) + 1
                _ = s.credit(x.worker, extra, now: now)
                granted[x.worker]! += 1
            }
            for id in ids {
                #expect(s.leases(of: id).count <= slots[id]!)
                #expect(s.leases(of: id).count + (s.credit(of: id) ?? 0) <= slots[id]!)
                #expect(assignedCount[id, default: 0] <= granted[id]!)
            }
            if s.isFinished { break }
        }
        #expect(s.cellCounts.done + s.cellCounts.failed + s.cellCounts.leased + s.cellCounts.queued == 2_000)
    }

    @Test func boundedWorkPerDispatch() {
        var s = Scheduler(cells: plainCells(100), configuration: SchedulerConfiguration(maxAssignmentsPerDispatch: 5))
        _ = s.register(a, slots: 100, now: at(0))
        #expect(s.dispatch(now: at(0)).assignments.count == 5)
        #expect(s.dispatch(now: at(0)).assignments.count == 5)
    }

    @Test func leastLoadedWorkerFirstWithRegistrationOrderTieBreak() {
        var s = Scheduler(cells: plainCells(5))
        _ = s.register(a, slots: 4, now: at(0))
        _ = s.register(b, slots: 4, now: at(0))
        let first = s.dispatch(now: at(0)).assignments
        // Rounds: a, b, a, b, a.
        #expect(first.map(\.worker) == [a, b, a, b, a])
        #expect(first.map(\.cell) == (0..<5).map { cellKey("c\($0)") })
    }

    @Test func evaluateCellsWaitForTheirPretrainingAndItsArtifact() {
        var s = Scheduler(cells: dagCells(pretrains: 1, tasks: ["fmnist"], methods: 2))
        #expect(s.cellCounts.blocked == 2 && s.cellCounts.queued == 1)
        _ = s.register(a, slots: 4, now: at(0))
        let p = s.dispatch(now: at(0)).assignments
        #expect(p.map(\.cell) == [cellKey("p0")])
        _ = s.result(a, cell: cellKey("p0"), lease: p[0].lease, artifact: "sha-model-0", now: at(1))
        _ = s.committed([cellKey("p0")], now: at(2))
        // Done, but the artifact is not stored yet.
        #expect(s.state(of: cellKey("e0-fmnist-0")) == .blocked)
        #expect(s.dispatch(now: at(2)).assignments.isEmpty)
        _ = s.artifactAvailable("sha-model-0", now: at(3))
        #expect(s.cellCounts.queued == 2)
        #expect(s.dispatch(now: at(3)).assignments.count == 2)
    }

    @Test func pretrainWithoutArtifactDoesNotReleaseItsDependents() {
        // A pre-training that names no model is of no use to its dependents (issue 14: a forged
        // result used to release them, and they failed for want of the model).
        var s = Scheduler(cells: dagCells(pretrains: 1, tasks: ["t"], methods: 1))
        _ = s.register(a, slots: 1, now: at(0))
        let p = s.dispatch(now: at(0)).assignments[0]
        _ = s.result(a, cell: p.cell, lease: p.lease, now: at(1))
        _ = s.committed([p.cell], now: at(1))
        #expect(s.state(of: cellKey("e0-t-0")) == .blocked)
    }

    @Test func failedPretrainingFailsItsDependentsNamingIt() {
        var s = Scheduler(cells: dagCells(pretrains: 2, tasks: ["fmnist", "digits"], methods: 3))
        _ = s.register(a, slots: 2, now: at(0))
        let p = s.dispatch(now: at(0)).assignments
        let p0 = p.first { $0.cell == cellKey("p0") }!
        let actions = s.failure(a, cell: p0.cell, lease: p0.lease, retryable: false, message: "bad checksum of train-images", now: at(1))
        let failed = actions.failedCells
        #expect(failed.count == 1 + 6)
        #expect(failed[cellKey("e0-digits-2")] == "dependency \(cellKey("p0").short) (pretrain) failed: bad checksum of train-images")
        #expect(s.state(of: cellKey("e1-digits-2")) == .blocked)
        #expect(s.cellCounts.failed == 7)
    }

    @Test func lateSuccessOfAFailedPretrainingRevivesItsDependents() {
        var s = Scheduler(cells: dagCells(pretrains: 1, tasks: ["t"], methods: 2), configuration: SchedulerConfiguration(heartbeatInterval: 100, liveness: 1))
        _ = s.register(a, slots: 1, now: at(0))
        let p = s.dispatch(now: at(0)).assignments[0]
        _ = s.failure(a, cell: p.cell, lease: p.lease, retryable: false, message: "x", now: at(1))
        #expect(s.cellCounts.failed == 3)
        _ = s.result(a, cell: p.cell, lease: p.lease, artifact: "m", now: at(2))
        _ = s.committed([p.cell], now: at(3))
        let revived = s.artifactAvailable("m", now: at(3))
        #expect(Set(revived.requeued) == [cellKey("e0-t-0"), cellKey("e0-t-1")])
        #expect(s.cellCounts.done == 1 && s.cellCounts.queued == 2 && s.cellCounts.failed == 0)
    }

    @Test func localityPrefersTheWorkerHoldingTheModel() {
        var s = Scheduler(cells: dagCells(pretrains: 2, tasks: ["fmnist"], methods: 3))
        _ = s.register(a, slots: 1, now: at(0))
        _ = s.register(b, slots: 1, now: at(0))
        let pre = s.dispatch(now: at(0)).assignments
        #expect(pre.count == 2)
        var producer: [Int: WorkerID] = [:]
        for x in pre {
            producer[x.cell == cellKey("p0") ? 0 : 1] = x.worker
            _ = s.result(x.worker, cell: x.cell, lease: x.lease, artifact: "model-\(x.cell.short)", now: at(1))
            _ = s.committed([x.cell], now: at(1))
            _ = s.artifactAvailable("model-\(x.cell.short)", now: at(1))
        }
        // Both workers now have 3 free slots; each gets the three cells of the model it made,
        // although the global queue holds p0's cells first.
        for id in [a, b] { _ = s.register(id, slots: 3, now: at(2)) }
        let evals = s.dispatch(now: at(2)).assignments
        #expect(evals.count == 6)
        for x in evals {
            let p = (0..<3).contains { cellKey("e0-fmnist-\($0)") == x.cell } ? 0 : 1
            #expect(x.worker == producer[p])
        }
    }

    @Test func featureLocalityBeatsModelLocality() {
        // c registers first (so it is served first on ties) but has no credit yet.
        var s = Scheduler(cells: dagCells(pretrains: 1, tasks: ["digits", "fmnist"], methods: 2))
        _ = s.register(c, slots: 0, now: at(0))
        _ = s.register(a, slots: 1, now: at(0))
        let p = s.dispatch(now: at(0)).assignments[0]
        #expect(p.worker == a)
        _ = s.result(a, cell: p.cell, lease: p.lease, artifact: "m", now: at(1))
        _ = s.committed([p.cell], now: at(1))
        _ = s.artifactAvailable("m", now: at(1))
        _ = s.credit(a, 1, now: at(1))
        let first = s.dispatch(now: at(1)).assignments[0]
        #expect(first.cell == cellKey("e0-digits-0"))
        _ = s.result(a, cell: first.cell, lease: first.lease, now: at(2))
        _ = s.committed([first.cell], now: at(2))
        // c comes back holding the model; a holds the model and the digits features.
        _ = s.register(c, slots: 1, artifacts: ["m"], now: at(3))
        _ = s.credit(a, 1, now: at(3))
        let next = s.dispatch(now: at(3)).assignments
        let byWorker = Dictionary(uniqueKeysWithValues: next.map { ($0.worker, $0.cell) })
        #expect(byWorker[a] == cellKey("e0-digits-1"))  // a reuses its digits features
        #expect(byWorker[c] == cellKey("e0-fmnist-0"))  // c, first in order, does not take it from a
    }

    @Test func rebuildFromPersistedState() {
        let cells = dagCells(pretrains: 3, tasks: ["t"], methods: 2)
        let persisted = [
            PersistedCell(key: cellKey("p0"), state: .done, attempts: 1, artifact: "m0"),
            PersistedCell(key: cellKey("p1"), state: .failed, attempts: 3, lastError: "NaN", artifact: nil),
            PersistedCell(key: cellKey("p2"), state: .leased, attempts: 2),
            PersistedCell(key: cellKey("e0-t-0"), state: .done, attempts: 1),
            PersistedCell(key: cellKey("e0-t-1"), state: .leased, attempts: 1),
            PersistedCell(key: cellKey("not-in-sweep"), state: .done),
        ]
        var s = Scheduler(cells: cells, persisted: persisted, availableArtifacts: ["m0"])
        #expect(s.state(of: cellKey("p0")) == .done)
        #expect(s.state(of: cellKey("p1")) == .failed)
        #expect(s.state(of: cellKey("p2")) == .queued)
        #expect(s.attempts(of: cellKey("p2")) == 1)          // the interrupted attempt is not counted
        #expect(s.state(of: cellKey("e0-t-0")) == .done)
        #expect(s.state(of: cellKey("e0-t-1")) == .queued)   // leased in the old run: back in the queue
        #expect(s.state(of: cellKey("e1-t-0")) == .failed)   // its pre-training failed
        #expect(s.state(of: cellKey("e2-t-0")) == .blocked)
        #expect(s.state(of: cellKey("not-in-sweep")) == nil)
        // The dependents' failures are reported by the first event.
        let first = s.register(a, slots: 8, now: at(0))
        #expect(Set(first.failedCells.keys) == [cellKey("e1-t-0"), cellKey("e1-t-1")])
        #expect(first.failedCells[cellKey("e1-t-0")]?.contains("NaN") == true)
        #expect(Set(s.dispatch(now: at(0)).assignments.map(\.cell)) == [cellKey("p2"), cellKey("e0-t-1")])
    }

    @Test func rebuildWithRetryOfFailedCells() {
        let persisted = [PersistedCell(key: cellKey("c0"), state: .failed, attempts: 3, lastError: "x")]
        let s = Scheduler(cells: plainCells(1), persisted: persisted, configuration: SchedulerConfiguration(retryFailedCells: true))
        #expect(s.state(of: cellKey("c0")) == .queued)
        #expect(s.attempts(of: cellKey("c0")) == 0)
    }

    @Test func expandedGridDrivesTheScheduler() throws {
        let grid = try Grid.load(path: gridsDirectory() + "/test-tiny.yaml").expand()
        var s = Scheduler(grid: grid)
        #expect(s.configuration.maxAttempts == 2)
        #expect(s.cellCounts.queued == 2 && s.cellCounts.blocked == 8)
        _ = s.register(a, slots: 2, now: at(0))
        var now: Int64 = 0
        while !s.isFinished && now < 100 {
            now += 1
            for x in s.dispatch(now: at(now)).assignments {
                _ = s.result(a, cell: x.cell, lease: x.lease, artifact: "artifact-of-\(x.cell.hex)", now: at(now))
                _ = s.committed([x.cell], now: at(now))
                _ = s.artifactAvailable("artifact-of-\(x.cell.hex)", now: at(now))
                _ = s.credit(a, 1, now: at(now))
            }
        }
        #expect(s.cellCounts.done == 10)
    }
}

