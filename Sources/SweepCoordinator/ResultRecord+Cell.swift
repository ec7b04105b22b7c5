import SweepKit
import NoisyCore
import SweepStore

extension ResultRecord {
    /// The row of an evaluate (or no-op) cell's result; nil for pretrain cells (they have no row:
    /// their artifact is their result).
    ///
    /// No-op cells are stored as task `noop`, method `noop`, seed = their index, noise 0, so they
    /// count as done like any evaluate cell. A metric the runner did not produce is stored as 0
    /// (the columns are NOT NULL); real evaluate cells always produce SVE and LSVR. Task domain,
    /// classes and probe seed (migration 4) come from the spec; `classes` stays NULL for a
    /// black-box grid's free task label, whose class count the coordinator cannot know.
    static func of(cell: GridCell, result: CellResult, worker: String) -> ResultRecord? {
        let timings = timingsJSON(result.timings)
        switch cell.spec {
        case .pretrain, .command:
            return nil
        case .noop(let spec):
            return ResultRecord(cellKey: cell.key.hex, noiseRatio: 0, task: "noop", taskKind: .id, method: "noop",
                                seed: Int64(spec.index), accuracy: finite(result.accuracy), sve: finite(result.sve ?? 0),
                                lsvr: finite(result.lsvr ?? 0), timings: timings, workerID: worker)
        case .evaluate(let spec):
            var lossTerms: String?
            if let t = result.lossTerms {
                lossTerms = "{\"ce\": \(finite(t.crossEntropy)), \"consistency\": \(finite(t.consistency)), "
                    + "\"singular\": \(finite(t.singular)), \"covariance\": \(finite(t.covariance))}"
            }
            return ResultRecord(
                cellKey: cell.key.hex, noiseRatio: spec.noiseRatio, task: spec.task,
                taskKind: GridTask.isOutOfDomain(spec.task) ? .ood : .id, method: spec.method.rawValue,
                seed: Int64(bitPattern: spec.seed), accuracy: finite(result.accuracy), sve: finite(result.sve ?? 0),
                lsvr: finite(result.lsvr ?? 0), tunedSVE: result.tunedSVE, tunedLSVR: result.tunedLSVR,
                trainLoss: result.trainLoss, lossTerms: lossTerms, realizedNoise: result.realisedNoise,
                timings: timings, workerID: worker, taskDomain: GridTask.domain(of: spec).rawValue,
                classes: GridTask.classCount(of: spec.task), probeSeed: Int64(bitPattern: spec.probeSeed))
        }
    }

    /// The timings as a JSON object, phases sorted by name; built without sorting or joining for
    /// the common rows of none or one phase (a no-op cell's), once per result on the socket thread.
    static func timingsJSON(_ timings: [String: Double]) -> String {
        func member(_ name: String, _ seconds: Double) -> String { "\(ViewRenderer.jsonString(name)): \(finite(seconds))" }
        switch timings.count {
        case 0: return "{}"
        case 1: return timings.first.map { "{" + member($0.key, $0.value) + "}" } ?? "{}"
        default: return "{" + timings.sorted { $0.key < $1.key }.map { member($0.key, $0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// JSON has no NaN: a non-finite value (which the worker reports as a failure anyway) becomes 0.
    private static func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
}
