/// The checks `tune` makes before training, each failing with a sentence that names the fault.
enum TuningValidation {
    static func check(method: TuningMethod, hyperparameters h: TuningHyperparameters,
                      train: LabeledFeatures, test: LabeledFeatures, classCount: Int) throws(TuningError) {
        guard classCount >= 2 else {
            throw TuningError(.invalidInput, "classCount is \(classCount); a classifier needs at least 2 classes")
        }
        for (name, split) in [("train", train), ("test", test)] {
            let m = split.features
            guard m.rows > 0, m.cols > 0 else {
                throw TuningError(.invalidInput, "the \(name) split is empty (\(m.rows)×\(m.cols) features)")
            }
            guard split.labels.count == m.rows else {
                throw TuningError(.invalidInput, "the \(name) split has \(m.rows) feature rows but \(split.labels.count) labels")
            }
            if let row = split.labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
                throw TuningError(.invalidInput, "label \(split.labels[row]) of \(name) row \(row) is outside 0..<\(classCount)")
            }
            if let (row, col, value) = firstNonFinite(m) {
                throw TuningError(.invalidInput, "\(name) feature (row \(row), column \(col)) is \(value); features must be finite")
            }
        }
        guard train.features.cols == test.features.cols else {
            throw TuningError(.invalidInput, "train features have \(train.features.cols) columns but test features have \(test.features.cols)")
        }
        guard h.epochs >= 1 else { throw TuningError(.invalidInput, "epochs is \(h.epochs); it must be at least 1") }
        guard h.batchSize >= (method == .lp ? 1 : 2) else {
            throw TuningError(.invalidInput, "batch size \(h.batchSize) is too small for \(method.rawValue) (BatchNorm needs at least 2 rows)")
        }
        guard h.learningRate.isFinite, h.learningRate >= 0 else {
            throw TuningError(.invalidInput, "learning rate \(h.learningRate) must be finite and non-negative")
        }
        guard h.weightDecay.isFinite, h.weightDecay >= 0 else {
            throw TuningError(.invalidInput, "weight decay \(h.weightDecay) must be finite and non-negative")
        }
        guard h.warmupSteps >= 0 else { throw TuningError(.invalidInput, "warm-up steps \(h.warmupSteps) must be non-negative") }
        if method != .lp {
            guard h.hiddenMultiplier >= 1 else {
                throw TuningError(.invalidInput, "hidden multiplier \(h.hiddenMultiplier) must be at least 1")
            }
        }
        if method == .nmtune {
            guard h.topK >= 1 else { throw TuningError(.invalidInput, "NMTune's top-k is \(h.topK); it must be at least 1") }
            for (name, w) in [("consistency", h.consistencyWeight), ("singular", h.singularWeight), ("covariance", h.covarianceWeight)]
            where !w.isFinite {
                throw TuningError(.invalidInput, "NMTune's \(name) weight \(w) must be finite")
            }
            _ = try NMTuneArithmetic.svdArithmetic(version: h.nmtuneArithmetic)
        } else if let version = h.nmtuneArithmetic {
            throw TuningError(.invalidInput, "\(method.rawValue) runs no SVD, but its spec names NMTune arithmetic version \(version); only NMTune cells carry one")
        }
    }

    /// The first NaN or infinity in row-major order, if any.
    static func firstNonFinite(_ m: Matrix) -> (row: Int, col: Int, value: Float)? {
        guard !ProbeTrainer.allFinite(m) else { return nil }
        return m.withUnsafeBufferPointer { values in
            guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
            return (index / m.cols, index % m.cols, values[index])
        }
    }
}
