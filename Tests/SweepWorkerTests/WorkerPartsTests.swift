import Foundation
import SweepRuntime
import NoisyCore
import StudyRunner
import SweepKit
import SweepWorker
import Testing
import ZeroMQ

/// The worker's parts below its session: the artifact cache, the slot threads, a cell's execution.
@Suite struct WorkerPartsTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweepworker-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func digest(_ bytes: [UInt8]) -> ArtifactDigest { ArtifactDigest(bytes: CellKey(sha256Of: bytes).bytes)! }

    @Test func theCacheKeepsModelsByDigestAndListsThemSorted() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ArtifactCache(root: root)
        let models: [[UInt8]] = [[1, 2, 3], Array(repeating: 9, count: 100_000), []]
        for model in models { #expect(try cache.write(model, kind: "model").digest == digest(model)) }
        for model in models { #expect(cache.read(digest(model)) == model) }
        #expect(cache.read(digest([4])) == nil)
        // A half-written file (another process's temporary) is not a model.
        #expect(FileManager.default.createFile(atPath: cache.path(digest([5])) + ".1.tmp", contents: Data([5])))
        #expect(cache.list(limit: 10) == models.map(digest).sorted())
        #expect(cache.list(limit: 2) == Array(models.map(digest).sorted().prefix(2)))
    }

    /// Slot threads run jobs side by side and signal the wake pipe for each outcome; a job whose
    /// model left the cache fails as `artifactUnavailable`, retryable.
    @Test func slotsRunJobsAndReportThroughTheWakePipe() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let wake = WakePipe()
        let pool = SlotPool(slots: 2, wake: wake, cache: ArtifactCache(root: root), dataDirectory: root, cacheDirectory: root)
        var jobs: [WorkerJob] = []
        for index in 0..<3 {
            let assign = try Wire.Assign(cell: CellKey(sha256Of: [UInt8(index)]), attempt: 1, lease: LeaseID(index + 1),
                                         leaseMilliseconds: 0, requiredArtifacts: [], spec: .noop(NoopSpec(index: index, sleepMilliseconds: 20)))
            jobs.append(WorkerJob(assign: assign, spec: .noop(NoopSpec(index: index, sleepMilliseconds: 20))))
        }
        let missing = digest([42])
        jobs.append(WorkerJob(assign: jobs[0].assign, spec: jobs[0].spec, model: missing))
        for job in jobs { pool.submit(job) }

        var outcomes: [SlotOutcome] = []
        let poller = Poller()
        poller.register(fileDescriptor: wake.readFD)
        let deadline = monotonicMilliseconds() + 10_000
        while outcomes.count < jobs.count && monotonicMilliseconds() < deadline {
            _ = try poller.poll(timeout: 1_000)
            wake.drain()
            outcomes += pool.takeOutcomes()
        }
        #expect(outcomes.count == 4)
        var finished: [Double] = []
        var unavailable = 0
        for slot in outcomes {
            switch slot.outcome {
            case .finished(let result, let model):
                #expect(model == nil && result.accuracy == 1)
                finished.append(result.trainLoss ?? -1)
            case .failed(let reason, let retryable, let message):
                #expect(reason == .artifactUnavailable && retryable && message.contains(String(missing.hex.prefix(12))))
                unavailable += 1
            }
        }
        #expect(finished.sorted() == [0, 1, 2] && unavailable == 1)
    }

    @Test func injectedFaultsBecomeTheirFailures() {
        let error = CellExecution.run(.noop(NoopSpec(index: 3, fault: .error)), model: nil, dataDirectory: "/nonexistent", cacheDirectory: "/nonexistent")
        guard case .failed(let reason, let retryable, let message) = error else { Issue.record("\(error)"); return }
        #expect(reason == .error && retryable && message.contains("no-op cell 3"))
        let nonFinite = CellExecution.run(.noop(NoopSpec(index: 4, fault: .nonFinite)), model: nil, dataDirectory: "/nonexistent", cacheDirectory: "/nonexistent")
        guard case .failed(let reason2, let retryable2, _) = nonFinite else { Issue.record("\(nonFinite)"); return }
        #expect(reason2 == .nonFinite && !retryable2)
    }

    /// Only a no-op cell of 0 ms without a fault is answered without a slot, with the result its
    /// slot would give (timings aside).
    @Test func onlyInstantNoopCellsSkipTheSlots() {
        guard case .finished(let result, let model)? = CellExecution.instantOutcome(of: .noop(NoopSpec(index: 9))) else {
            Issue.record("an instant no-op cell was not answered at once")
            return
        }
        let slot = CellExecution.run(.noop(NoopSpec(index: 9)), model: nil, dataDirectory: "/nonexistent", cacheDirectory: "/nonexistent")
        guard case .finished(let slotResult, nil) = slot else { Issue.record("\(slot)"); return }
        #expect(model == nil && result.accuracy == slotResult.accuracy && result.trainLoss == 9 && slotResult.trainLoss == 9)
        #expect(result.timings.keys.sorted() == slotResult.timings.keys.sorted())
        #expect(CellExecution.instantOutcome(of: .noop(NoopSpec(index: 1, sleepMilliseconds: 1))) == nil)
        for fault in TestFault.allCases {
            #expect(CellExecution.instantOutcome(of: .noop(NoopSpec(index: 2, fault: fault))) == nil, "\(fault)")
        }
    }

    @Test func theCoresErrorCodesMapToFailureReasons() {
        #expect(CellExecution.reason(of: CellRunnerError(.environment, message: "disk")) == .error)
        #expect(CellExecution.reason(of: CellRunnerError(.nonFinite, message: "NaN")) == .nonFinite)
        #expect(CellExecution.reason(of: CellRunnerError(.badInput, message: "checksum")) == .badData)
    }
}
