import Foundation
import NoisyCore
import SweepCoordinator
import SweepKit
import SweepStore
import Testing

/// The coordinator's small parts, each alone.
@Suite struct CoordinatorPartsTests {
    @Test func ackBatchSendsOneMessagePerWorkerSplitAtTheKeyLimit() {
        var batch = AckBatch()
        #expect(batch.isEmpty && batch.flush().isEmpty)
        let keys = (0..<(WireFormat.maxAckKeys + 3)).map { CellKey(sha256Of: [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
        for key in keys { batch.add(key, for: WorkerID("a")) }
        batch.add(keys[0], for: WorkerID("b"))
        let messages = batch.flush()
        let toA = messages.filter { $0.worker == WorkerID("a") }.map(\.ack.cells)
        #expect(toA.map(\.count) == [WireFormat.maxAckKeys, 3])
        #expect(toA.flatMap { $0 } == keys, "in the order queued")
        #expect(messages.filter { $0.worker == WorkerID("b") }.map(\.ack.cells) == [[keys[0]]])
        #expect(batch.isEmpty && batch.flush().isEmpty)
    }

    @Test func churnIsNewsAtFirstThenAtPowersOfTwo() {
        var roster = WorkerRoster()
        let w = WorkerID("w")
        let joins = (1...9).map { _ in roster.joinIsNews(w) }
        #expect(joins == [true, true, false, true, false, false, false, true, false])
        #expect(roster.lastLeaveWasNews(w), "nothing counted yet")
        _ = roster.leaveIsNews(w)
        _ = roster.leaveIsNews(w)
        let third = roster.leaveIsNews(w)
        #expect(!third && !roster.lastLeaveWasNews(w))
        let other = roster.joinIsNews(WorkerID("other"))
        #expect(other, "counted per peer")
    }

    @Test func aRefusedPeerIsRecordedOnce() {
        var roster = WorkerRoster()
        let refusals = [roster.refuse(WorkerID("x")), roster.refuse(WorkerID("x")), roster.refuse(WorkerID("y"))]
        #expect(refusals == [true, false, true])
        let current = Wire.Ready(worker: WorkerID("x"), incarnation: 1, pid: 1, slots: 1, softwareVersion: "v", host: "h")
        #expect(WorkerRoster.incompatibility(of: current) == nil)
        var old = current
        old.capabilities = ["result-format/1"]
        let reason = WorkerRoster.incompatibility(of: old)
        #expect(reason?.contains("the worker reports result-format/1 (v)") == true)
    }

    @Test func powerOfTwoCountSaysWhenToLog() {
        var count = PowerOfTwoCount()
        let logged = (1...17).filter { _ in count.increment() }.count
        #expect(logged == 5 && count.value == 17) // 1, 2, 4, 8, 16
    }

    @Test func theDoorChecksValuesAndThePretrainModel() throws {
        let cells = try dagCells()
        let pretrain = try #require(cells.first { $0.kind == .pretrain })
        let sha = String(repeating: "ab", count: 32)
        let result = CellResult(accuracy: 0.5, artifactSHA256: sha)
        #expect(ResultDoor.refusal(of: result, for: pretrain, uploads: UploadTable()) { _ in true } == nil, "in the store")
        let missing = ResultDoor.refusal(of: result, for: pretrain, uploads: UploadTable()) { _ in false }
        #expect(missing?.contains("its model abababababab did not arrive") == true)
        let nan = ResultDoor.refusal(of: CellResult(accuracy: .nan, artifactSHA256: sha), for: pretrain, uploads: UploadTable()) { _ in true }
        #expect(nan != nil)
    }

    @Test func theLiveRowHasTheSchedulersCountsAndWorkers() throws {
        var session = makeSession(try noopCells(5))
        session.join(WorkerID("b"), slots: 2)
        session.join(WorkerID("a"), slots: 1)
        _ = session.assignAccepted(now: at(1))
        let live = LiveStatus.snapshot(of: session.scheduler, estimator: ProgressEstimator(), startedAt: Date(timeIntervalSince1970: 100),
                                       endpoint: "tcp://127.0.0.1:1")
        #expect(live.total == 5 && live.leased == 3 && live.queued == 2 && live.done == 0)
        #expect(live.workers.map(\.id) == ["a", "b"] && live.workers.map(\.leased) == [1, 2])
        #expect(live.startedAt == 100 && live.endpoint == "tcp://127.0.0.1:1" && live.pid == Int(getpid()))
    }
}
