package import SweepRuntime
import Foundation
import NoisyCore
package import SweepKit

/// What a slot hands back.
package struct SlotOutcome: @unchecked Sendable {
    package var assign: Wire.Assign
    package var outcome: CellOutcome
}

/// N slot threads, each running one cell at a time, fed from a FIFO; outcomes go to a queue the
/// socket thread empties when the wake pipe fires. Computation never touches a socket.
///
/// The ``WorkerSession`` hands a job over only when a slot is idle, so the FIFO is never longer
/// than the slots and nothing in it needs withdrawing.
package final class SlotPool: @unchecked Sendable {
    private let jobs = BlockingQueue<WorkerJob>()
    private let outcomes = BlockingQueue<SlotOutcome>()
    private let wake: WakePipe
    package let cache: ArtifactCache
    let dataDirectory: String
    let cacheDirectory: String

    package init(slots: Int, wake: WakePipe, cache: ArtifactCache, dataDirectory: String, cacheDirectory: String) {
        self.wake = wake
        self.cache = cache
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory
        for n in 0..<slots {
            let thread = Thread { [self] in loop() }
            thread.name = "slot-\(n)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    package func submit(_ job: WorkerJob) { jobs.push(job) }

    /// The outcomes handed back since the last call, in the order they were.
    package func takeOutcomes() -> [SlotOutcome] { outcomes.popAll() }

    private func loop() {
        while true {
            let job = jobs.pop()
            outcomes.push(SlotOutcome(assign: job.assign, outcome: WorkerMetrics.timed { run(job) }))
            wake.signal()
        }
    }

    /// Reads the job's model from the cache (here, off the socket thread) and runs the cell.
    private func run(_ job: WorkerJob) -> CellOutcome {
        var model: [UInt8]?
        if let digest = job.model {
            model = cache.read(digest)
            if model == nil {
                return .failed(reason: .artifactUnavailable, retryable: true,
                               message: "model \(digest.hex.prefix(12)) is no longer in this worker's cache")
            }
        }
        return CellExecution.run(job.spec, model: model, dataDirectory: dataDirectory, cacheDirectory: cacheDirectory)
    }
}
