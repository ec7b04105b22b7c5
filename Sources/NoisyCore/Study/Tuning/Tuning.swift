/// Features and labels of one split, as a tuning method sees them (a black box's output).
public struct LabeledFeatures: Sendable {
    /// N × D features.
    public var features: Matrix
    /// N labels in `0..<classCount`.
    public var labels: [Int]

    public init(features: Matrix, labels: [Int]) {
        self.features = features
        self.labels = labels
    }
}

/// What tuning one probe produced.
public struct TuningOutcome: Sendable {
    /// Test accuracy after the last epoch.
    public var accuracy: Double
    /// Mean training loss (the whole objective) over the last epoch.
    public var trainLoss: Double
    /// NMTune's unweighted loss terms over the last epoch (NMTune only; MLP reports its CE).
    public var lossTerms: LossTerms?
    /// The tuned features Z of the test split (MLP and NMTune), for SVE/LSVR.
    public var tunedTestFeatures: Matrix?
}

/// Why tuning failed.
public struct TuningError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// Inputs that cannot be tuned on (shapes, labels out of range, empty splits).
        case invalidInput
        /// The loss or a weight became NaN or infinite.
        case nonFinite
    }
    public let code: Code
    public let message: String
    public var description: String { message }
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Tunes `method` on `train` and measures it on `test`, deterministically from `seed`.
///
/// The authors' recipe (PAPER.md, "The tuning methods"), every hyper-parameter from
/// `hyperparameters`.
public func tune(
    method: TuningMethod, hyperparameters: TuningHyperparameters,
    train: LabeledFeatures, test: LabeledFeatures, classCount: Int, seed: UInt64
) throws -> TuningOutcome {
    // Body lands with the tuning work (LP / MLP / NMTune trainers).
    throw TuningError(.invalidInput, "tuning is not built yet")
}
