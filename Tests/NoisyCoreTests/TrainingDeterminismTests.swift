import NoisyCore
import Testing

/// Small end-to-end training loops: bitwise reproducible from a seed, and they actually learn.
@Suite struct TrainingDeterminismTests {
    struct Run {
        var parameters: [Matrix]
        var losses: [Float]
        var trainAccuracy: Double
    }

    /// Seeded synthetic data: `C` Gaussian blobs in `D` dimensions, class means `separation` apart
    /// on random directions, unit noise.
    static func blobs(samples: Int, features: Int, classes: Int, separation: Float, seed: UInt64) -> (Matrix, [Int]) {
        var rng = RandomStream(seed: seed)
        let centres = Matrix(rows: classes, cols: features) { _, _ in rng.normal() * separation / Float(2).squareRoot() }
        let labels = (0..<samples).map { $0 % classes }
        let x = Matrix(rows: samples, cols: features) { r, c in centres[labels[r], c] + rng.normal() }
        return (x, labels)
    }

    /// Seeded synthetic 1×8×8 images: class k has a bright 2×2 patch at one of 4 corners plus noise,
    /// so the net must find a local pattern (a conv net's job).
    static func patches(samples: Int, seed: UInt64) -> (Matrix, [Int]) {
        var rng = RandomStream(seed: seed)
        let labels = (0..<samples).map { $0 % 4 }
        var x = Matrix(rows: samples, cols: 64) { _, _ in 0.3 * rng.normal() }
        for (n, k) in labels.enumerated() {
            let (y0, x0) = [(1, 1), (1, 5), (5, 1), (5, 5)][k]
            for dy in 0..<2 { for dx in 0..<2 { x[n, (y0 + dy) * 8 + x0 + dx] += 1.5 } }
        }
        return (x, labels)
    }

    /// Mini-batch AdamW with a per-step cosine schedule; batches from a seeded per-epoch permutation.
    static func train(_ net: Sequential, x: Matrix, labels: [Int], epochs: Int, batchSize: Int,
                      learningRate: Float, seed: UInt64) -> Run {
        let optimizer = AdamW(parameters: net.parameters, learningRate: learningRate, weightDecay: 1e-4)
        let stepsPerEpoch = x.rows / batchSize
        let schedule = CosineSchedule(baseLearningRate: learningRate, totalSteps: epochs * stepsPerEpoch)
        var losses: [Float] = []
        var step = 0
        let shuffle = RandomStream(seed: seed).derived("batches")
        for epoch in 0..<epochs {
            var rng = shuffle.derived("epoch", UInt64(epoch))
            let order = rng.permutation(x.rows)
            for b in 0..<stepsPerEpoch {
                let indices = order[(b * batchSize)..<((b + 1) * batchSize)]
                let batch = Matrix(rows: batchSize, cols: x.cols) { r, c in x[indices[indices.startIndex + r], c] }
                let batchLabels = indices.map { labels[$0] }
                optimizer.zeroGrad()
                let logits = net.forward(batch, training: true)
                let loss = Loss.softmaxCrossEntropy(logits: logits, labels: batchLabels)
                _ = net.backward(loss.gradient)
                optimizer.learningRate = schedule.learningRate(atStep: step)
                optimizer.step()
                losses.append(loss.value)
                step += 1
            }
        }
        let accuracy = Kernels.accuracy(logits: net.forward(x, training: false), labels: labels)
        return Run(parameters: net.parameters.map(\.value), losses: losses, trainAccuracy: accuracy)
    }

    /// The paper's MLP probe shape (without the residual): Linear → BatchNorm1d → ReLU → Linear → head.
    static func mlp(features: Int, classes: Int, seed: UInt64) -> Sequential {
        var rng = RandomStream(seed: seed).derived("init")
        return Sequential(
            Linear(inputs: features, outputs: 4 * features, rng: &rng, name: "g.0"),
            BatchNorm1d(features: 4 * features, name: "g.1"), ReLU(),
            Linear(inputs: 4 * features, outputs: features, rng: &rng, name: "g.3"),
            Linear(inputs: features, outputs: classes, bias: .zeros, rng: &rng, name: "head"))
    }

    static func convNet(seed: UInt64) -> Sequential {
        var rng = RandomStream(seed: seed).derived("init")
        let image = ImageShape(channels: 1, height: 8, width: 8)
        let conv = Conv2d(input: image, outChannels: 4, padding: 1, rng: &rng, name: "conv")
        let pool = MaxPool2d(input: conv.outputShape)
        return Sequential(conv, ReLU(), pool, Flatten(), Linear(inputs: pool.outputShape.count, outputs: 4, rng: &rng, name: "fc"))
    }

    @Test func convNetTrainingIsBitwiseReproducible() {
        let (x, labels) = Self.patches(samples: 128, seed: 1)
        let untrained = Kernels.accuracy(logits: Self.convNet(seed: 2).forward(x, training: false), labels: labels)
        #expect(untrained < 0.8, "the problem must not be solved before training (accuracy \(untrained))")
        let first = Self.train(Self.convNet(seed: 2), x: x, labels: labels, epochs: 6, batchSize: 16, learningRate: 1e-2, seed: 3)
        let second = Self.train(Self.convNet(seed: 2), x: x, labels: labels, epochs: 6, batchSize: 16, learningRate: 1e-2, seed: 3)
        #expect(first.losses.count == 48)
        #expect(first.losses.map(\.bitPattern) == second.losses.map(\.bitPattern))
        #expect(first.parameters == second.parameters)   // Matrix == is bitwise
        // A different seed gives a different run (the test would be vacuous otherwise).
        let other = Self.train(Self.convNet(seed: 4), x: x, labels: labels, epochs: 6, batchSize: 16, learningRate: 1e-2, seed: 3)
        #expect(other.parameters != first.parameters)
        // And it learns: the last 8 losses average well below the first 8.
        let head = first.losses.prefix(8).reduce(0, +) / 8, tail = first.losses.suffix(8).reduce(0, +) / 8
        #expect(tail < 0.5 * head, "loss \(head) → \(tail)")
        #expect(first.trainAccuracy >= 0.95, "train accuracy \(first.trainAccuracy)")
    }

    @Test func mlpTrainingIsBitwiseReproducibleAndLearns() {
        let (x, labels) = Self.blobs(samples: 256, features: 16, classes: 4, separation: 4, seed: 5)
        let untrained = Kernels.accuracy(logits: Self.mlp(features: 16, classes: 4, seed: 6).forward(x, training: false), labels: labels)
        #expect(untrained < 0.8, "the problem must not be solved before training (accuracy \(untrained))")
        let first = Self.train(Self.mlp(features: 16, classes: 4, seed: 6), x: x, labels: labels, epochs: 10, batchSize: 32, learningRate: 1e-2, seed: 7)
        let second = Self.train(Self.mlp(features: 16, classes: 4, seed: 6), x: x, labels: labels, epochs: 10, batchSize: 32, learningRate: 1e-2, seed: 7)
        #expect(first.losses.count == 80)
        #expect(first.losses.map(\.bitPattern) == second.losses.map(\.bitPattern))
        #expect(first.parameters == second.parameters)
        #expect(first.losses.last! < 0.25 * first.losses.first!, "loss \(first.losses.first!) → \(first.losses.last!)")
        #expect(first.trainAccuracy >= 0.95, "train accuracy \(first.trainAccuracy)")
    }
}
