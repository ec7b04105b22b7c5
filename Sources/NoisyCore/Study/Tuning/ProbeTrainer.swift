/// The training loop shared by LP, MLP and NMTune (docs/science.md, "The tuning methods").
///
/// AdamW over every parameter, learning rate from a per-step ``CosineSchedule`` (`lr(t)` for the
/// t-th optimiser step, 0-based, as `CosineAnnealingLR` stepped after each `optimizer.step()`),
/// mini-batches of `batchSize` rows in the order of `RandomStream(seed:).derived("tune.epoch", e)`'s
/// permutation, `drop_last = false`. One exception: MLP and NMTune skip a final batch of a single
/// row, because BatchNorm's training statistics (and NMTune's covariance, `B − 1` in its
/// denominator) are undefined for one row — PyTorch would raise there. LP keeps it.
struct ProbeTrainer {
    let method: TuningMethod
    let hyperparameters: TuningHyperparameters
    let seed: UInt64

    /// The batches of one epoch as `(start, count)` ranges into a permutation of `rows`.
    static func batches(rows: Int, batchSize: Int, method: TuningMethod) -> [Range<Int>] {
        var ranges = [Range<Int>]()
        var start = 0
        while start < rows {
            let end = min(start + batchSize, rows)
            if end - start >= 2 || method == .lp { ranges.append(start..<end) }
            start = end
        }
        return ranges
    }

    /// Trains `network` on `train`; returns the mean loss and mean NMTune terms of the last epoch.
    func train(_ network: ProbeNetwork, on train: LabeledFeatures) throws -> (loss: Double, terms: LossTerms?) {
        let rows = train.features.rows, cols = train.features.cols
        let ranges = Self.batches(rows: rows, batchSize: hyperparameters.batchSize, method: method)
        let totalSteps = hyperparameters.epochs * ranges.count
        guard totalSteps > 0 else {
            throw TuningError(.invalidInput, "\(method.rawValue) has no batch to train on: \(rows) training rows with batch size \(hyperparameters.batchSize)")
        }
        guard hyperparameters.warmupSteps < totalSteps else {
            throw TuningError(.invalidInput, "warm-up of \(hyperparameters.warmupSteps) steps must be shorter than the \(totalSteps) training steps")
        }
        let schedule = CosineSchedule(baseLearningRate: Float(hyperparameters.learningRate), totalSteps: totalSteps,
                                      warmupSteps: hyperparameters.warmupSteps)
        let parameters = network.parameters
        let optimizer = AdamW(parameters: parameters, learningRate: schedule.learningRate(atStep: 0),
                              weightDecay: Float(hyperparameters.weightDecay))
        let weights = method == .nmtune ? try NMTuneLoss.Weights(hyperparameters) : nil
        // normalize(F) once for the whole split; batches gather rows of it like rows of F.
        let normalizedTrain = method == .nmtune ? Kernels.l2NormalizeRows(train.features) : nil

        let root = RandomStream(seed: seed)
        var step = 0
        var lastLoss = 0.0, lastCE = 0.0, lastConsistency = 0.0, lastSingular = 0.0, lastCovariance = 0.0
        for epoch in 0..<hyperparameters.epochs {
            var order = root.derived("tune.epoch", UInt64(epoch))
            let permutation = order.permutation(rows)
            var sumLoss = 0.0, sumCE = 0.0, sumConsistency = 0.0, sumSingular = 0.0, sumCovariance = 0.0
            for (batchIndex, range) in ranges.enumerated() {
                let indices = permutation[range]
                let batch = Self.gather(train.features, rows: indices, cols: cols)
                let normalizedBatch = normalizedTrain.map { Self.gather($0, rows: indices, cols: cols) }
                let labels = indices.map { train.labels[$0] }
                optimizer.zeroGrad()
                let loss: ProbeNetwork.BatchLoss
                do {
                    loss = try network.trainingStep(features: batch, normalizedFeatures: normalizedBatch, labels: labels,
                                                    weights: weights, backward: true)
                } catch {
                    throw TuningError(.nonFinite, "\(method.rawValue): the tuned features became non-finite at epoch \(epoch) step \(batchIndex) (\(error.message))")
                }
                guard loss.total.isFinite else {
                    throw TuningError(.nonFinite, "\(method.rawValue): the loss is \(loss.total) at epoch \(epoch) step \(batchIndex)")
                }
                optimizer.learningRate = schedule.learningRate(atStep: step)
                optimizer.step()
                step += 1
                if let bad = parameters.first(where: { !Self.allFinite($0.value) }) {
                    throw TuningError(.nonFinite, "\(method.rawValue): parameter \(bad.name) became non-finite at epoch \(epoch) step \(batchIndex)")
                }
                sumLoss += loss.total
                sumCE += loss.crossEntropy
                if let r = loss.regularizer {
                    sumConsistency += r.consistency
                    sumSingular += r.singular
                    sumCovariance += r.covariance
                }
            }
            let n = Double(ranges.count)
            (lastLoss, lastCE, lastConsistency, lastSingular, lastCovariance) =
                (sumLoss / n, sumCE / n, sumConsistency / n, sumSingular / n, sumCovariance / n)
        }
        let terms = method == .nmtune
            ? LossTerms(crossEntropy: lastCE, consistency: lastConsistency, singular: lastSingular, covariance: lastCovariance)
            : nil
        return (lastLoss, terms)
    }

    /// The rows `rows` of `source` (each `cols` wide) copied, in order, into a new matrix.
    static func gather(_ source: Matrix, rows: ArraySlice<Int>, cols: Int) -> Matrix {
        var out = Matrix(uninitializedRows: rows.count, cols: cols)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var target = dst.baseAddress!
                for row in rows {
                    target.update(from: src.baseAddress! + row * cols, count: cols)
                    target += cols
                }
            }
        }
        return out
    }

    /// Whether every element is finite: `x·0` is 0 for finite `x` and NaN for NaN or ±∞.
    static func allFinite(_ m: Matrix) -> Bool {
        m.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return true }
            let count = values.count
            var acc = SIMD16<Float>()
            var i = 0
            while i + 16 <= count {
                acc += load16(base + i) * 0
                i += 16
            }
            var tail: Float = 0
            while i < count {
                tail += base[i] * 0
                i += 1
            }
            return acc.sum() == 0 && tail == 0
        }
    }
}
