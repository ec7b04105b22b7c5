import NoisyCore
import Testing

/// Finite-difference checks of every layer's input and parameter gradients, and of the losses.
/// Settings and tolerances: see `GradientChecking` (h = 1e-2, rtol 2e-2, atol 5e-3·max|grad|).
@Suite struct GradientCheckTests {
    private func expectAllPass(_ reports: [GradientChecking.TensorReport], expectedTensors: Int,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reports.count == expectedTensors, sourceLocation: sourceLocation)
        for report in reports {
            #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
            #expect(report.largestAnalytic > 0, "\(report.name) has an all-zero gradient", sourceLocation: sourceLocation)
        }
    }

    @Test func linearWithBias() {
        var rng = RandomStream(seed: 1)
        let layer = Linear(inputs: 7, outputs: 5, rng: &rng, name: "fc")
        expectAllPass(GradientChecking.check(layer: layer, input: TestData.normal(rows: 6, cols: 7, seed: 2), training: true),
                      expectedTensors: 3)
    }

    @Test func linearWithoutBias() {
        var rng = RandomStream(seed: 3)
        let layer = Linear(inputs: 19, outputs: 17, bias: .none, rng: &rng)
        #expect(layer.parameters.count == 1)
        expectAllPass(GradientChecking.check(layer: layer, input: TestData.normal(rows: 4, cols: 19, seed: 4), training: true),
                      expectedTensors: 2)
    }

    @Test func relu() {
        expectAllPass(GradientChecking.check(layer: ReLU(), input: TestData.awayFromZero(rows: 5, cols: 21, seed: 5), training: true),
                      expectedTensors: 1)
    }

    @Test func scale() {
        let layer = Scale(features: 9)
        layer.scale.value = TestData.normal(rows: 1, cols: 9, seed: 6)
        expectAllPass(GradientChecking.check(layer: layer, input: TestData.normal(rows: 5, cols: 9, seed: 7), training: true),
                      expectedTensors: 2)
    }

    private func batchNorm(features: Int, seed: UInt64) -> BatchNorm1d {
        let layer = BatchNorm1d(features: features)
        var rng = RandomStream(seed: seed)
        layer.gamma.value = Matrix(rows: 1, cols: features) { _, _ in rng.uniform(0.5, 1.5) }
        layer.beta.value = Matrix(rows: 1, cols: features) { _, _ in rng.normal() }
        return layer
    }

    /// Training mode: the statistics depend on the whole batch, so each coordinate's perturbation
    /// changes every row of its column; the check differentiates the whole-batch function.
    @Test func batchNormTrainingAsWholeBatchFunction() {
        let layer = batchNorm(features: 18, seed: 8)
        let x = TestData.normal(rows: 8, cols: 18, standardDeviation: 2, seed: 9)
        expectAllPass(GradientChecking.check(layer: layer, input: x, training: true), expectedTensors: 3)
    }

    @Test func batchNormEvaluation() {
        let layer = batchNorm(features: 10, seed: 10)
        for step in 0..<5 { _ = layer.forward(TestData.normal(rows: 16, cols: 10, standardDeviation: 3, seed: 100 + UInt64(step)), training: true) }
        let x = TestData.normal(rows: 6, cols: 10, seed: 11)
        expectAllPass(GradientChecking.check(layer: layer, input: x, training: false), expectedTensors: 3)
    }

    @Test(arguments: [(3, 1), (3, 0), (5, 2), (2, 0), (1, 0)])
    func conv2d(kernelSize: Int, padding: Int) {
        var rng = RandomStream(seed: 12)
        let shape = ImageShape(channels: 2, height: 6, width: 5)
        let layer = Conv2d(input: shape, outChannels: 3, kernelSize: kernelSize, padding: padding, rng: &rng)
        let x = TestData.normal(rows: 2, cols: shape.count, seed: 13)
        expectAllPass(GradientChecking.check(layer: layer, input: x, training: true), expectedTensors: 3)
    }

    @Test func maxPool() {
        let shape = ImageShape(channels: 3, height: 5, width: 6)
        let x = TestData.distinct(rows: 2, cols: shape.count, seed: 14)
        expectAllPass(GradientChecking.check(layer: MaxPool2d(input: shape), input: x, training: true), expectedTensors: 1)
    }

    /// The paper's MLP probe body g = Linear → BatchNorm1d → ReLU → Linear, as one function.
    @Test func mlpProbeBody() {
        var rng = RandomStream(seed: 15)
        let net = Sequential(
            Linear(inputs: 6, outputs: 24, rng: &rng, name: "g.0"), BatchNorm1d(features: 24, name: "g.1"),
            ReLU(), Linear(inputs: 24, outputs: 6, rng: &rng, name: "g.3"))
        var settings = GradientChecking.Settings()
        settings.epsilon = 2e-3
        settings.maximumNonSmoothFraction = 0.15
        var reports = GradientChecking.check(layer: net, input: TestData.normal(rows: 8, cols: 6, seed: 16), training: true, settings: settings)
        #expect(reports.map(\.name) == ["input", "g.0.weight", "g.0.bias", "g.1.weight", "g.1.bias", "g.3.weight", "g.3.bias"])
        // The bias before BatchNorm is cancelled by the batch mean: its true gradient is exactly 0,
        // and the analytic one must be 0 up to Float rounding (a relative check means nothing there).
        let cancelled = reports.remove(at: 2)
        #expect(cancelled.largestAnalytic < 1e-5, "\(cancelled)")
        #expect(cancelled.mismatches.allSatisfy { abs($0.numeric) < 1e-4 }, "\(cancelled)")
        expectAllPass(reports, expectedTensors: 6)
    }

    /// The pre-training extractor's shape in miniature: conv → ReLU → pool → conv → ReLU → pool → linear.
    @Test func smallConvNet() {
        var rng = RandomStream(seed: 17)
        let image = ImageShape(channels: 1, height: 8, width: 8)
        let conv1 = Conv2d(input: image, outChannels: 3, padding: 1, rng: &rng, name: "c1")
        let pool1 = MaxPool2d(input: conv1.outputShape)
        let conv2 = Conv2d(input: pool1.outputShape, outChannels: 4, padding: 1, rng: &rng, name: "c2")
        let pool2 = MaxPool2d(input: conv2.outputShape)
        let net = Sequential(conv1, ReLU(), pool1, conv2, ReLU(), pool2, Flatten(),
                             Linear(inputs: pool2.outputShape.count, outputs: 5, rng: &rng, name: "fc"))
        var settings = GradientChecking.Settings()
        settings.epsilon = 2e-3
        settings.maximumNonSmoothFraction = 0.15
        let reports = GradientChecking.check(layer: net, input: TestData.normal(rows: 3, cols: image.count, seed: 18), training: true, settings: settings)
        expectAllPass(reports, expectedTensors: 7)
    }

    @Test func softmaxCrossEntropy() {
        let logits = TestData.normal(rows: 6, cols: 5, standardDeviation: 2, seed: 19)
        let labels = [0, 4, 2, 2, 1, 3]
        let report = GradientChecking.check(loss: { Loss.softmaxCrossEntropy(logits: $0, labels: labels) }, at: logits)
        #expect(report.passed, "\(report)")
    }

    @Test func meanSquaredError() {
        let prediction = TestData.normal(rows: 4, cols: 7, seed: 20)
        let target = TestData.normal(rows: 4, cols: 7, seed: 21)
        let report = GradientChecking.check(loss: { Loss.meanSquaredError(prediction: $0, target: target) }, at: prediction)
        #expect(report.passed, "\(report)")
    }

    // MARK: - The checker catches wrong gradients

    /// `y = x − rowmean(x)` whose backward forgets the `−mean(g)` term: the classic missing term.
    private final class CentringMissingTerm: Layer {
        var parameters: [Parameter] { [] }
        func forward(_ x: Matrix, training: Bool) -> Matrix {
            Matrix(rows: x.rows, cols: x.cols) { r, c in x[r, c] - x.row(r).reduce(0, +) / Float(x.cols) }
        }
        func backward(_ gradOutput: Matrix) -> Matrix { gradOutput }
        var description: String { "CentringMissingTerm" }
    }

    /// A linear layer whose weight gradient comes out 5 % too large.
    private final class SlightlyWrongLinear: Layer {
        let inner: Linear
        init(_ inner: Linear) { self.inner = inner }
        var parameters: [Parameter] { inner.parameters }
        func forward(_ x: Matrix, training: Bool) -> Matrix { inner.forward(x, training: training) }
        func backward(_ gradOutput: Matrix) -> Matrix {
            let g = inner.backward(gradOutput)
            Kernels.scale(&inner.weight.gradient, by: 1.05)
            return g
        }
        var description: String { "SlightlyWrongLinear" }
    }

    @Test func checkerRejectsAMissingTerm() {
        let reports = GradientChecking.check(layer: CentringMissingTerm(), input: TestData.normal(rows: 4, cols: 6, seed: 22), training: true)
        #expect(reports.count == 1)
        #expect(!reports[0].passed)
        #expect(reports[0].mismatches.count > reports[0].checked / 2, "\(reports[0])")
    }

    @Test func checkerRejectsAFivePercentError() {
        var rng = RandomStream(seed: 23)
        let reports = GradientChecking.check(layer: SlightlyWrongLinear(Linear(inputs: 5, outputs: 4, rng: &rng)),
                                             input: TestData.normal(rows: 3, cols: 5, seed: 24), training: true)
        #expect(reports.map(\.passed) == [true, false, true], "\(reports)")
    }

    @Test func checkerRejectsAWrongGradientEvenWhereKinksAreSkipped() {
        var rng = RandomStream(seed: 25)
        let net = Sequential(Linear(inputs: 5, outputs: 12, rng: &rng), ReLU(), SlightlyWrongLinear(Linear(inputs: 12, outputs: 3, rng: &rng)))
        var settings = GradientChecking.Settings()
        settings.epsilon = 2e-3
        settings.maximumNonSmoothFraction = 0.15
        let reports = GradientChecking.check(layer: net, input: TestData.normal(rows: 4, cols: 5, seed: 26), training: true, settings: settings)
        #expect(reports.count == 5)
        #expect(reports.map(\.passed) == [true, true, true, false, true], "\(reports)")
    }
}
