import SweepKit
import Testing

/// Size, not speed: a million cells through a thousand workers completes, every cell exactly
/// once, with credit respected. The elapsed time is printed for the record, never asserted.
@Suite struct SchedulerScaleTests {
    @Test func millionCellsThroughThousandWorkers() {
        let clock = ContinuousClock()
        let start = clock.now
        let n = 1_000_000
        var cells: [ScheduledCell] = []
        cells.reserveCapacity(n)
        for i in 0..<n {
            // Keys from a cheap counter layout rather than SHA-256: this measures the scheduler.
            cells.append(ScheduledCell(key: CellKey(w0: UInt64(i), w1: 0x5eed, w2: UInt64(i) &* 0x9e37_79b9_7f4a_7c15, w3: 1), kind: .pretrain))
        }
        var s = Scheduler(cells: cells, configuration: SchedulerConfiguration(maxAssignmentsPerDispatch: 4_096, resultBacklogLimit: 100_000))
        let built = clock.now
        let workers = (0..<1_000).map { WorkerID("worker-\($0)") }
        for w in workers { _ = s.register(w, slots: 8, now: at(0)) }
        #expect(s.cellCounts.queued == n)

        var now: Int64 = 0
        var assignments = 0
        var persisted = 0
        var acks = 0
        var maxLeases = 0
        while !s.isFinished {
            now += 1
            let batch = s.dispatch(now: at(now)).assignments
            assignments += batch.count
            var done: [CellKey] = []
            done.reserveCapacity(batch.count)
            for x in batch {
                persisted += s.result(x.worker, cell: x.cell, lease: x.lease, now: at(now)).persisted.count
                done.append(x.cell)
            }
            if now % 100 == 0 {
                maxLeases = max(maxLeases, workers.map { s.leases(of: $0).count }.max() ?? 0)
            }
            acks += s.committed(done, now: at(now)).acks.count
            for x in batch { _ = s.credit(x.worker, 1, now: at(now)) }
            if batch.isEmpty { break }
        }
        let elapsed = clock.now - start
        print("scheduler scale: \(n) cells, \(workers.count) workers × 8 slots: build \(built - start), total \(elapsed), \(now) dispatch calls")
        #expect(s.cellCounts.done == n)
        #expect(assignments == n && persisted == n && acks == n)
        #expect(maxLeases <= 8)
    }

    @Test func thousandIdleWorkersTick() {
        var s = Scheduler(cells: plainCells(10))
        let workers = (0..<1_000).map { WorkerID("idle-\($0)") }
        for w in workers { _ = s.register(w, slots: 0, now: at(0)) }
        var heartbeats = 0
        // 10 s of 100 ms ticks with every worker speaking every 500 ms.
        for step in 1...100 {
            let now = at(Int64(step) * 100)
            if step % 5 == 0 { for w in workers { _ = s.heard(from: w, now: now) } }
            heartbeats += s.tick(now: now).heartbeats.count
        }
        #expect(s.workerCount == 1_000)
        #expect(heartbeats == 1_000 * 10)
    }
}
