import Foundation
import NoisyCore
import SweepKit

/// What a cell produced: its result and, for a pre-training, the model's bytes.
struct CellExecutionOutput: Sendable {
    var result: CellResult
    var artifact: [UInt8]?
}

/// Why a cell failed, as the worker reports it.
struct CellExecutionError: Error, Sendable, CustomStringConvertible {
    var retryable: Bool
    var reason: Wire.FailureReason
    var message: String
    var description: String { message }
}

/// Runs one cell on the calling slot thread.
///
/// Stand-in until NoisyCore's `CellRunner` is merged: it runs `.noop` cells itself (sleep, then the
/// injected fault: `crash` aborts the process, `hang` silences the whole worker and blocks
/// forever, `error` is a retryable failure, `nonFinite` a non-retryable one) and refuses
/// `.pretrain`/`.evaluate` with a retryable "cell runner not available".
enum CellExecution {
    static func run(_ spec: CellSpec, model: [UInt8]?, dataDirectory: String, cacheDirectory: String) throws(CellExecutionError) -> CellExecutionOutput {
        switch spec {
        case .noop(let noop):
            let start = monotonicMilliseconds()
            if noop.sleepMilliseconds > 0 { usleep(UInt32(clamping: noop.sleepMilliseconds * 1000)) }
            switch noop.fault {
            case nil: break
            case .crash?:
                abort()
            case .hang?:
                WorkerHang.begin()
                while true { sleep(3600) }
            case .error?:
                throw CellExecutionError(retryable: true, reason: .error, message: "injected error (no-op cell \(noop.index))")
            case .nonFinite?:
                throw CellExecutionError(retryable: false, reason: .nonFinite, message: "injected non-finite value (no-op cell \(noop.index))")
            }
            let seconds = Double(monotonicMilliseconds() - start) / 1000
            return CellExecutionOutput(result: CellResult(accuracy: 1, sve: 0, lsvr: 0, trainLoss: Double(noop.index),
                                                          timings: ["noop": seconds]), artifact: nil)
        case .pretrain, .evaluate:
            throw CellExecutionError(retryable: true, reason: .error, message: "cell runner not available in this build")
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
