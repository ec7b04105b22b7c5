import ZeroMQ
import Foundation
import NoisyCore
import SweepKit

/// One attempt handed to a slot.
struct SlotJob: @unchecked Sendable {
    var assign: Wire.Assign
    var spec: CellSpec
    var model: [UInt8]?
}

/// What a slot hands back.
struct SlotOutcome: @unchecked Sendable {
    var assign: Wire.Assign
    var output: Result<CellExecutionOutput, CellExecutionError>
}

/// N slot threads, each running one cell at a time, fed from a FIFO; outcomes go to a queue the
/// socket thread empties when the wake pipe fires. Computation never touches a socket.
final class SlotPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [SlotJob] = []
    private var head = 0
    private var outcomes: [SlotOutcome] = []
    private let wake: WakePipe
    let dataDirectory: String
    let cacheDirectory: String

    init(slots: Int, wake: WakePipe, dataDirectory: String, cacheDirectory: String) {
        self.wake = wake
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory
        for n in 0..<slots {
            let thread = Thread { [self] in loop() }
            thread.name = "slot-\(n)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    func submit(_ job: SlotJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Removes the jobs not yet started (for a hand-back); returns them.
    func withdrawQueued(where predicate: (SlotJob) -> Bool = { _ in true }) -> [SlotJob] {
        condition.lock()
        defer { condition.unlock() }
        let pending = Array(jobs[head...])
        let taken = pending.filter(predicate)
        jobs = pending.filter { !predicate($0) }
        head = 0
        return taken
    }

    func takeOutcomes() -> [SlotOutcome] {
        condition.lock()
        defer { condition.unlock() }
        let taken = outcomes
        outcomes.removeAll(keepingCapacity: true)
        return taken
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()

            let output: Result<CellExecutionOutput, CellExecutionError>
            do {
                output = .success(try CellExecution.run(job.spec, model: job.model, dataDirectory: dataDirectory,
                                                        cacheDirectory: cacheDirectory))
            } catch {
                output = .failure(error)
            }
            condition.lock()
            outcomes.append(SlotOutcome(assign: job.assign, output: output))
            condition.unlock()
            wake.signal()
        }
    }
}
