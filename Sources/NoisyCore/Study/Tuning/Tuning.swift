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
    /// NMTune's unweighted loss terms, means over the last epoch's batches (NMTune only; nil for LP and MLP).
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
/// The authors' recipe (docs/science.md, "The tuning methods"), every hyper-parameter from
/// `hyperparameters`: LP trains a linear head on F; MLP and NMTune train `Z = s ⊙ g(F) + F` and a
/// head on Z (NMTune with ``NMTuneLoss``'s regulariser). See ``ProbeNetwork`` for the
/// initialisation and `ProbeTrainer` for the loop (AdamW, per-step cosine, seeded shuffles;
/// MLP/NMTune skip a trailing one-row batch, which BatchNorm cannot train on).
/// Accuracy is the test argmax accuracy after the last epoch, BatchNorm in evaluation mode.
/// Single-threaded and bitwise reproducible: the same inputs and seed give the same outcome.
/// - Throws: ``TuningError`` `.invalidInput` naming the bad input, `.nonFinite` naming the epoch
///   and step where the loss or a weight stopped being finite.
public func tune(
    method: TuningMethod, hyperparameters: TuningHyperparameters,
    train: LabeledFeatures, test: LabeledFeatures, classCount: Int, seed: UInt64
) throws -> TuningOutcome {
    try TuningValidation.check(method: method, hyperparameters: hyperparameters, train: train, test: test, classCount: classCount)
    let network = ProbeNetwork(method: method, features: train.features.cols, classes: classCount,
                               hiddenMultiplier: hyperparameters.hiddenMultiplier, seed: seed)
    let trainer = ProbeTrainer(method: method, hyperparameters: hyperparameters, seed: seed)
    let (trainLoss, terms) = try trainer.train(network, on: train)
    let tuned = network.tunedFeatures(test.features)
    let logits = network.head.forward(tuned, training: false)
    if !ProbeTrainer.allFinite(logits) {
        throw TuningError(.nonFinite, "\(method.rawValue): the test logits are not finite after training")
    }
    return TuningOutcome(accuracy: Kernels.accuracy(logits: logits, labels: test.labels), trainLoss: trainLoss,
                         lossTerms: terms, tunedTestFeatures: method == .lp ? nil : tuned)
}
