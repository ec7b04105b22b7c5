import Foundation
import SweepRuntime
import NoisyCore
package import SweepKit
package import StudyRunner
import TextTasks

/// Runs one cell on the calling slot thread.
///
/// `.pretrain` and `.evaluate` cells go to StudyRunner's `CellRunner`. `.noop` cells run here, because
/// their `hang` fault must silence the whole worker process (the socket thread honours
/// ``WorkerHang``), which the pure core cannot do: sleep, then the injected fault — `crash` aborts
/// the process (after half the sleep), `hang` silences the worker and blocks forever, `stall` blocks only its slot forever
/// (heartbeats go on), `error` is a retryable failure, `nonFinite` a non-retryable one.
package enum CellExecution {
    /// - Parameter artifacts: where a pre-training's model is stored (the slot's artifact store).
    package static func run(_ spec: CellSpec, model: [UInt8]?, dataDirectory: String, cacheDirectory: String,
                            artifacts: ArtifactCache? = nil) -> CellOutcome {
        switch spec {
        case .noop(let noop):
            let start = monotonicMilliseconds()
            // A crash comes halfway through the sleep, so the cells beside it (same sleep) are still
            // running when the process dies: what the guilt tests need (docs/reliability.md).
            let pause = noop.fault == .crash ? noop.sleepMilliseconds / 2 : noop.sleepMilliseconds
            if pause > 0 { usleep(UInt32(clamping: pause * 1000)) }
            switch noop.fault {
            case nil: break
            case .crash?:
                abort()
            case .hang?:
                WorkerHang.begin()
                while true { sleep(3600) }
            case .stall?:
                // Only this slot is stuck: the socket thread goes on heartbeating.
                while true { sleep(3600) }
            case .error?:
                return .failed(reason: .error, retryable: true, message: "injected error (no-op cell \(noop.index))")
            case .nonFinite?:
                return .failed(reason: .nonFinite, retryable: false, message: "injected non-finite value (no-op cell \(noop.index))")
            }
            return finished(noop, seconds: Double(monotonicMilliseconds() - start) / 1000)
        case .pretrain(let pretrain):
            return runInCore(dataDirectory: dataDirectory, cacheDirectory: cacheDirectory, artifacts: artifacts) { try $0.run(pretrain: pretrain) }
        case .evaluate(let evaluate):
            return runInCore(dataDirectory: dataDirectory, cacheDirectory: cacheDirectory, artifacts: artifacts) { try $0.run(evaluate: evaluate, model: model) }
        case .command:
            // SlotPool hands command cells to its CommandRunner; this path runs no processes.
            return .failed(reason: .badSpec, retryable: true, message: "a command cell needs a worker started with --allow-commands")
        }
    }

    /// The outcome of a cell that has nothing to run — a no-op cell of 0 ms with no fault — or nil
    /// for any other cell. The worker answers such a cell on its socket thread: waking a slot
    /// thread and waking the socket thread back costs more than the cell (two context switches
    /// per cell; the coordinator benchmark's workers spent most of their time there).
    package static func instantOutcome(of spec: CellSpec) -> CellOutcome? {
        guard case .noop(let noop) = spec, noop.sleepMilliseconds <= 0, noop.fault == nil else { return nil }
        return finished(noop, seconds: 0)
    }

    /// A no-op cell's result: accuracy 1, its index as the training loss.
    static func finished(_ noop: NoopSpec, seconds: Double) -> CellOutcome {
        .finished(CellResult(accuracy: 1, sve: 0, lsvr: 0, trainLoss: Double(noop.index), timings: ["noop": seconds]), model: nil)
    }

    /// Runs a pre-training or evaluate cell with StudyRunner's `CellRunner`; its errors become
    /// FAILURE's reason by their code.
    /// A model it makes is written to `artifacts` here, on the slot thread (hashed and checked).
    static func runInCore(dataDirectory: String, cacheDirectory: String, artifacts: ArtifactCache?,
                          _ body: (CellRunner) throws -> CellOutput) -> CellOutcome {
        do {
            let output = try body(CellRunner(dataDirectory: dataDirectory, cacheDirectory: cacheDirectory, textFeatures: EncodedTextFeatures()))
            guard let bytes = output.artifact else { return .finished(output.result, model: nil) }
            guard let artifacts else {
                return .failed(reason: .resources, retryable: true, message: "the model has no artifact store to go to")
            }
            do {
                return .finished(output.result, model: try artifacts.write(bytes, kind: "model"))
            } catch {
                return .failed(reason: .resources, retryable: true, message: "the model cannot be stored in \(artifacts.store.location): \(error)")
            }
        } catch let error as CellRunnerError {
            return .failed(reason: reason(of: error), retryable: error.retryable, message: error.message)
        } catch {
            return .failed(reason: .error, retryable: true, message: "\(error)")
        }
    }

    /// FAILURE's reason for a failure of the core, by its code.
    package static func reason(of error: CellRunnerError) -> Wire.FailureReason {
        switch error.code {
        case .environment: .error
        case .nonFinite: .nonFinite
        case .badInput: .badData
        }
    }
}

/// A hung worker (fault `hang`): once begun, the socket thread sends nothing more, so the
/// coordinator sees the whole process go silent, as with a real hang.
enum WorkerHang {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var hung = false

    static func begin() {
        lock.lock()
        hung = true
        lock.unlock()
    }

    static var isHung: Bool {
        lock.lock()
        defer { lock.unlock() }
        return hung
    }
}
