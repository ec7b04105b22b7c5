package import SweepRuntime
import Foundation
import NoisyCore
package import SweepKit

/// What a slot hands back.
package struct SlotOutcome: @unchecked Sendable {
    package var assign: Wire.Assign
    package var outcome: CellOutcome
    /// A command attempt's log, in the artifact store (sent to the coordinator as command-log).
    package var log: StoredArtifact? = nil
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
    /// Runs command cells; nil on a worker without `--allow-commands`.
    package let commands: CommandRunner?
    let outputs: CommandOutputs

    package init(slots: Int, wake: WakePipe, cache: ArtifactCache, dataDirectory: String, cacheDirectory: String,
                 commands: CommandRunner? = nil) {
        self.wake = wake
        self.cache = cache
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory
        self.commands = commands
        outputs = CommandOutputs(cacheDirectory: cacheDirectory, cache: cache)
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
            var log: StoredArtifact?
            let outcome = WorkerMetrics.timed { run(job, log: &log) }
            outcomes.push(SlotOutcome(assign: job.assign, outcome: outcome, log: log))
            wake.signal()
        }
    }

    /// Reads the job's model from the cache (here, off the socket thread) and runs the cell; a
    /// command cell goes to the command runner, an evaluate cell of a command's output reads the
    /// unpacked output folder.
    private func run(_ job: WorkerJob, log: inout StoredArtifact?) -> CellOutcome {
        if case .command(let command) = job.spec {
            guard let commands else {
                return .failed(reason: .badSpec, retryable: true, message: "this worker was not started with --allow-commands: it runs no command cells")
            }
            let outcome = commands.run(command, cell: job.assign.cell, attempt: job.assign.attempt)
            log = commands.storeLog(cell: job.assign.cell, attempt: job.assign.attempt)
            return outcome
        }
        if case .evaluate(let evaluate) = job.spec, case .command = evaluate.features {
            guard let digest = job.model else {
                return .failed(reason: .artifactUnavailable, retryable: true, message: "evaluate cell \(evaluate.task): the assignment names no command output")
            }
            let resolved: EvaluateSpec
            do {
                resolved = try outputs.resolve(evaluate, artifact: digest)
            } catch {
                return .failed(reason: .artifactUnavailable, retryable: true, message: "command output \(digest.hex.prefix(12)): \(error)")
            }
            return CellExecution.run(.evaluate(resolved), model: nil, dataDirectory: dataDirectory, cacheDirectory: cacheDirectory)
        }
        var model: [UInt8]?
        if let digest = job.model {
            model = cache.read(digest)
            if model == nil {
                return .failed(reason: .artifactUnavailable, retryable: true,
                               message: "model \(digest.hex.prefix(12)) is missing from \(cache.store.location) or damaged")
            }
        }
        return CellExecution.run(job.spec, model: model, dataDirectory: dataDirectory, cacheDirectory: cacheDirectory, artifacts: cache)
    }
}
