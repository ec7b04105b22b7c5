import SweepKit
import Testing

/// Issues 14 and 21 in the scheduler: results under a predecessor's persisted leases, and cells
/// held back while another sweep's coordinator may run them. On an injected clock.
@Suite struct SchedulerOwnershipTests {
    let a = WorkerID("a"), b = WorkerID("b")

    /// A successor takes a late result under a lease its predecessor persisted for that cell and
    /// that worker for as long as the lease is valid — long after the old one-minute window — and
    /// refuses made-up leases, another worker's lease, another cell's lease and expired leases.
    @Test func predecessorLeasesAreCheckedNotTimed() {
        var s = Scheduler(cells: plainCells(5), firstLeaseID: 1_000)
        _ = s.tick(now: at(0))
        s.admitPredecessorLeases([
            (lease: 10, cell: cellKey("c0"), worker: a, remainingMilliseconds: 600_000),
            (lease: 11, cell: cellKey("c1"), worker: a, remainingMilliseconds: 600_000),
            (lease: 12, cell: cellKey("c2"), worker: a, remainingMilliseconds: 100_000),
            (lease: 13, cell: cellKey("c3"), worker: b, remainingMilliseconds: 600_000),
            (lease: 14, cell: cellKey("nope"), worker: a, remainingMilliseconds: 600_000),
        ], now: at(0))
        #expect(s.predecessorLeaseCount == 4, "the lease of a cell not in the sweep is ignored")
        _ = s.workerReady(a, slots: 4, now: at(119_000))
        _ = s.workerReady(b, slots: 4, now: at(119_000))
        // Two minutes in: the window of old (60 s) would have refused this.
        #expect(s.result(a, cell: cellKey("c0"), lease: 10, now: at(120_000)).persisted == [cellKey("c0")])
        // Expired (valid 100 s), never issued, issued to b, issued for another cell: all rejected.
        #expect(s.result(a, cell: cellKey("c2"), lease: 12, now: at(120_000)).isRejected)
        #expect(s.result(a, cell: cellKey("c4"), lease: 15, now: at(120_000)).isRejected)
        #expect(s.result(a, cell: cellKey("c3"), lease: 13, now: at(120_000)).isRejected)
        #expect(s.result(a, cell: cellKey("c3"), lease: 11, now: at(120_000)).isRejected)
        #expect(s.result(b, cell: cellKey("c3"), lease: 13, now: at(120_000)).persisted == [cellKey("c3")])
        #expect(s.state(of: cellKey("c2")) == .queued && s.state(of: cellKey("c4")) == .queued)
    }

    /// Without admitted leases (a driver that persists none) the window still applies.
    @Test func withoutPersistedLeasesTheWindowApplies() {
        var s = Scheduler(cells: plainCells(1), firstLeaseID: 1_000)
        _ = s.tick(now: at(0))
        _ = s.workerReady(a, slots: 1, now: at(70_000))
        #expect(s.result(a, cell: cellKey("c0"), lease: 7, now: at(70_000)).isRejected)
    }

    /// Held cells are not dispatched; done elsewhere they count as done; released they run here.
    @Test func cellsHeldElsewhereWaitThenFinishOrRun() {
        var s = Scheduler(cells: plainCells(4))
        let held = s.holdElsewhere([cellKey("c0"), cellKey("c1"), cellKey("nope")])
        #expect(held == [cellKey("c0"), cellKey("c1")])
        #expect(s.cellCounts.blocked == 2 && s.cellCounts.queued == 2)
        _ = s.register(a, slots: 8, now: at(0))
        let first = s.dispatchAccepted(now: at(0))
        #expect(Set(first.map(\.cell)) == [cellKey("c2"), cellKey("c3")])
        _ = s.doneElsewhere([cellKey("c0")], now: at(1))
        s.releaseHeld([cellKey("c1")])
        #expect(s.state(of: cellKey("c0")) == .done)
        #expect(s.dispatchAccepted(now: at(2)).map(\.cell) == [cellKey("c1")])
        for lease in first { _ = s.result(a, cell: lease.cell, lease: lease.lease, now: at(3)) }
        _ = s.committed([cellKey("c2"), cellKey("c3")], now: at(4))
        #expect(!s.isFinished, "c1 still runs")
        #expect(s.cellsHeldElsewhere.isEmpty)
    }
}

extension [SchedulerAction] {
    var isRejected: Bool { contains { if case .rejected = $0 { true } else { false } } }
}
