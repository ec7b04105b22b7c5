/// What a pre-training produced.
public struct PretrainOutcome {
    /// The trained network.
    public let network: PretrainedNetwork
    /// Accuracy on the clean Fashion-MNIST test labels.
    public let sourceTestAccuracy: Double
    /// Mean cross-entropy over the last epoch's batches (on the noisy labels).
    public let trainLoss: Double
    /// The fraction of source labels that noise changed.
    public let realisedNoise: Double
    /// Memorisation: of the training images whose label noise changed, the fraction the final
    /// network classifies as their *noisy* label (nil without noise).
    public let memorisation: Double?
    /// Of the same images, the fraction it classifies as their *clean* label (nil without noise).
    public let corruptedCleanAccuracy: Double?
    /// Training images per second (forward + backward + step), wall clock.
    public let imagesPerSecond: Double
    /// Wall seconds of `"train"` and `"test"` (source accuracy).
    public let timings: [String: Double]
}

/// Why a pre-training could not run or failed.
public struct PretrainError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// A spec field out of range.
        case invalidSpec
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

extension PretrainSpec {
    /// Why this spec cannot be trained, or nil.
    public var problem: String? {
        if !(noiseRatio.isFinite && noiseRatio >= 0 && noiseRatio < 1) { return "noiseRatio \(noiseRatio) is outside [0, 1)" }
        if epochs < 1 { return "epochs \(epochs) must be at least 1" }
        if batchSize < 1 { return "batchSize \(batchSize) must be at least 1" }
        if !(learningRate.isFinite && learningRate > 0) { return "learningRate \(learningRate) must be positive" }
        if !(momentum.isFinite && momentum >= 0 && momentum < 1) { return "momentum \(momentum) is outside [0, 1)" }
        if !(weightDecay.isFinite && weightDecay >= 0) { return "weightDecay \(weightDecay) must be ≥ 0" }
        if let n = sourceSamples, n < 1 { return "sourceSamples \(n) must be at least 1" }
        if let problem = glyphs?.problem { return problem }
        return PretrainArchitecture(spec: self).problem
    }
}

/// Pre-trains the study's CNN as `spec` says, on loaded source data (`source` with clean labels;
/// `sourceTest` for accuracy). StudyRunner's `pretrain(_:dataDirectory:)` loads Fashion-MNIST first.
///
/// Random streams, all derived from `spec.seed`: `"subset"` (which source images, when
/// `sourceSamples` is set), `"noise"` (``SymmetricLabelNoise``), `"init"` (weights),
/// `"batches"/epoch` (batch order). Deterministic: the same spec gives bitwise the same network.
/// - Throws: ``PretrainError`` for a bad spec or divergence.
public func pretrain(_ spec: PretrainSpec, source fullSource: Dataset, sourceTest: Dataset) throws -> PretrainOutcome {
    if let problem = spec.problem { throw PretrainError(.invalidSpec, "pre-training spec: \(problem)") }
    let root = RandomStream(seed: spec.seed)
    var source = fullSource
    if let n = spec.sourceSamples, n < fullSource.count {
        var subsetRng = root.derived("subset")
        source = fullSource.subset(Array(subsetRng.permutation(fullSource.count).prefix(n)))
    }
    var noiseRng = root.derived("noise")
    let noise = try SymmetricLabelNoise(cleanLabels: source.labels, classCount: source.classCount, ratio: spec.noiseRatio,
                                        model: spec.noiseModel, generator: &noiseRng)
    var architecture = PretrainArchitecture(spec: spec)
    architecture.input = source.shape
    architecture.classCount = source.classCount
    var initRng = root.derived("init")
    let network = PretrainedNetwork(architecture: architecture, rng: &initRng)

    let model = network.classifier
    let parameters = model.parameters
    let optimizer: any Optimizer = switch spec.optimizer {
    case .sgd: SGD(parameters: parameters, learningRate: Float(spec.learningRate), momentum: Float(spec.momentum),
                   weightDecay: Float(spec.weightDecay))
    case .adamw: AdamW(parameters: parameters, learningRate: Float(spec.learningRate), weightDecay: Float(spec.weightDecay))
    }
    let count = source.count, width = source.images.cols
    let batchesPerEpoch = (count + spec.batchSize - 1) / spec.batchSize
    let schedule = CosineSchedule(baseLearningRate: Float(spec.learningRate), totalSteps: batchesPerEpoch * spec.epochs)
    let clock = ContinuousClock()
    let trainStart = clock.now
    var step = 0
    var lastEpochLoss = 0.0
    var batchImages = Matrix(rows: spec.batchSize, cols: width)
    for epoch in 0..<spec.epochs {
        var orderRng = root.derived("batches", UInt64(epoch))
        let order = orderRng.permutation(count)
        var epochLoss = 0.0
        for b in 0..<batchesPerEpoch {
            let lo = b * spec.batchSize, hi = min(count, lo + spec.batchSize)
            if batchImages.rows != hi - lo { batchImages = Matrix(rows: hi - lo, cols: width) }
            var labels = [Int](repeating: 0, count: hi - lo)
            source.images.withUnsafeBufferPointer { src in
                batchImages.withUnsafeMutableBufferPointer { dst in
                    for i in lo..<hi {
                        let j = order[i]
                        (dst.baseAddress! + (i - lo) * width).update(from: src.baseAddress! + j * width, count: width)
                        labels[i - lo] = noise.labels[j]
                    }
                }
            }
            optimizer.zeroGrad()
            let logits = model.forward(batchImages, training: true)
            let loss = Loss.softmaxCrossEntropy(logits: logits, labels: labels)
            guard loss.value.isFinite else {
                throw PretrainError(.nonFinite, "pre-training diverged: loss \(loss.value) at epoch \(epoch + 1), step \(step + 1) (lr \(spec.learningRate))")
            }
            epochLoss += Double(loss.value)
            _ = model.backward(loss.gradient)
            optimizer.learningRate = schedule.learningRate(atStep: step)
            optimizer.step()
            step += 1
        }
        lastEpochLoss = epochLoss / Double(batchesPerEpoch)
    }
    let trainSeconds = (clock.now - trainStart).inSeconds
    for p in parameters {
        let finite = p.value.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
        guard finite else { throw PretrainError(.nonFinite, "pre-training produced a non-finite weight in \(p.name)") }
    }
    let testStart = clock.now
    let accuracy = Kernels.accuracy(logits: network.logits(of: sourceTest.images), labels: sourceTest.labels)
    var memorisation: Double?, corruptedClean: Double?
    if !noise.corruptedIndices.isEmpty {
        let corrupted = source.subset(noise.corruptedIndices)
        let logits = network.logits(of: corrupted.images)
        memorisation = Kernels.accuracy(logits: logits, labels: noise.corruptedIndices.map { noise.labels[$0] })
        corruptedClean = Kernels.accuracy(logits: logits, labels: corrupted.labels)
    }
    let testSeconds = (clock.now - testStart).inSeconds
    return PretrainOutcome(
        network: network, sourceTestAccuracy: accuracy, trainLoss: lastEpochLoss, realisedNoise: noise.realisedRatio,
        memorisation: memorisation, corruptedCleanAccuracy: corruptedClean,
        imagesPerSecond: Double(count * spec.epochs) / max(trainSeconds, 1e-9),
        timings: ["train": trainSeconds, "test": testSeconds])
}

extension Duration {
    /// This duration in seconds (the unit of every timing a cell reports).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
