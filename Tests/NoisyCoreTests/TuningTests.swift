import NoisyCore
import Testing

/// `tune` end to end on a seeded, well-separated synthetic problem, its determinism and its errors.
@Suite struct TuningTests {
    /// 10 Gaussian classes in 32 dimensions: centres `N(0, 1)` per coordinate (pairwise distance
    /// about 8), unit noise, so the Bayes accuracy is essentially 100 %.
    static func separated(rows: Int, seed: UInt64, classes: Int = 10, dim: Int = 32) -> LabeledFeatures {
        var centres = RandomStream(seed: 0xCE27)
        let means = Matrix(rows: classes, cols: dim) { _, _ in centres.normal() }
        var rng = RandomStream(seed: seed)
        let labels = (0..<rows).map { $0 % classes }
        let x = Matrix(rows: rows, cols: dim) { r, c in means[labels[r], c] + rng.normal() }
        return LabeledFeatures(features: x, labels: labels)
    }

    static let train = separated(rows: 1500, seed: 1)
    static let test = separated(rows: 600, seed: 2)

    @Test func linearProbeReaches97Percent() throws {
        let outcome = try tune(method: .lp, hyperparameters: .defaults(for: .lp), train: Self.train, test: Self.test, classCount: 10, seed: 3)
        #expect(outcome.accuracy >= 0.97, "LP accuracy \(outcome.accuracy)")
        #expect(outcome.trainLoss.isFinite && outcome.trainLoss < 0.5)
        #expect(outcome.lossTerms == nil)
        #expect(outcome.tunedTestFeatures == nil)
    }

    @Test(arguments: [TuningMethod.mlp, .nmtune])
    func residualProbesTrainWithoutNaN(_ method: TuningMethod) throws {
        let outcome = try tune(method: method, hyperparameters: .defaults(for: method), train: Self.train, test: Self.test, classCount: 10, seed: 3)
        #expect(outcome.accuracy >= 0.97, "\(method) accuracy \(outcome.accuracy)")
        #expect(outcome.trainLoss.isFinite)
        let z = try #require(outcome.tunedTestFeatures)
        #expect(z.rows == Self.test.features.rows && z.cols == Self.test.features.cols)
        #expect(z.elements.allSatisfy { $0.isFinite })
        if method == .nmtune {
            let terms = try #require(outcome.lossTerms)
            for v in [terms.crossEntropy, terms.consistency, terms.singular, terms.covariance] { #expect(v.isFinite && v >= 0) }
            // The whole loss is CE + 1·consistency − 0.001·singular + 0.04·covariance (means commute;
            // the weights are applied as Float).
            let whole = terms.crossEntropy + terms.consistency - Double(Float(0.001)) * terms.singular
                + Double(Float(0.04)) * terms.covariance
            #expect(abs(whole - outcome.trainLoss) <= 1e-9 * max(1, abs(whole)))
            #expect(terms.singular > 0 && terms.singular <= 1)
        } else {
            #expect(outcome.lossTerms == nil)
        }
    }

    @Test(arguments: TuningMethod.allCases)
    func fixedSeedIsBitwiseReproducible(_ method: TuningMethod) throws {
        var h = TuningHyperparameters.defaults(for: method)
        h.epochs = 3
        let small = LabeledFeatures(features: Self.train.features.withView { $0.rows(0..<300).copy() }, labels: Array(Self.train.labels.prefix(300)))
        let a = try tune(method: method, hyperparameters: h, train: small, test: Self.test, classCount: 10, seed: 9)
        let b = try tune(method: method, hyperparameters: h, train: small, test: Self.test, classCount: 10, seed: 9)
        let c = try tune(method: method, hyperparameters: h, train: small, test: Self.test, classCount: 10, seed: 10)
        #expect(a.accuracy == b.accuracy)
        #expect(a.trainLoss.bitPattern == b.trainLoss.bitPattern)
        #expect(a.lossTerms == b.lossTerms)
        #expect(a.tunedTestFeatures == b.tunedTestFeatures)
        #expect(a.trainLoss != c.trainLoss, "another seed should give another run")
    }

    @Test(arguments: TuningMethod.allCases)
    func trailingSingleRowBatchIsHandled(_ method: TuningMethod) throws {
        // 65 rows with batch 64: LP trains on the 1-row batch, MLP/NMTune skip it (BatchNorm).
        var h = TuningHyperparameters.defaults(for: method)
        h.epochs = 2
        let rows = LabeledFeatures(features: Self.train.features.withView { $0.rows(0..<65).copy() }, labels: Array(Self.train.labels.prefix(65)))
        let outcome = try tune(method: method, hyperparameters: h, train: rows, test: Self.test, classCount: 10, seed: 1)
        #expect(outcome.trainLoss.isFinite)
    }

    private func expectInvalid(_ fragments: [String], method: TuningMethod = .mlp, hyperparameters: TuningHyperparameters? = nil,
                               train: LabeledFeatures = TuningTests.train, test: LabeledFeatures = TuningTests.test,
                               classCount: Int = 10, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try tune(method: method, hyperparameters: hyperparameters ?? .defaults(for: method), train: train, test: test,
                         classCount: classCount, seed: 0)
            Issue.record("expected an invalid-input error", sourceLocation: sourceLocation)
        } catch let error as TuningError {
            #expect(error.code == .invalidInput, sourceLocation: sourceLocation)
            for fragment in fragments { #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func invalidInputsAreNamed() {
        let empty = LabeledFeatures(features: Matrix(rows: 0, cols: 32), labels: [])
        expectInvalid(["train", "empty"], train: empty)
        expectInvalid(["test", "empty"], test: empty)
        expectInvalid(["train", "1500 feature rows", "1499 labels"],
                      train: LabeledFeatures(features: Self.train.features, labels: Array(Self.train.labels.dropLast())))
        var outOfRange = Self.test
        outOfRange.labels[7] = 10
        expectInvalid(["label 10", "test row 7", "0..<10"], test: outOfRange)
        var negative = Self.train
        negative.labels[0] = -1
        expectInvalid(["label -1", "train row 0"], train: negative)
        expectInvalid(["classCount is 1"], classCount: 1)
        expectInvalid(["32 columns", "31"], test: LabeledFeatures(features: Self.test.features.withView { $0.cols(0..<31).copy() }, labels: Self.test.labels))
        var nan = Self.test
        nan.features[3, 5] = .nan
        expectInvalid(["test", "row 3", "column 5", "nan"], test: nan)
        var inf = Self.train
        inf.features[12, 0] = .infinity
        expectInvalid(["train", "row 12", "inf"], method: .lp, train: inf)
        var h = TuningHyperparameters.defaults(for: .nmtune)
        h.topK = 0
        expectInvalid(["top-k"], method: .nmtune, hyperparameters: h)
        h = .defaults(for: .mlp)
        h.warmupSteps = 1_000_000
        expectInvalid(["warm-up"], hyperparameters: h)
        h = .defaults(for: .nmtune)
        h.nmtuneArithmetic = 3
        expectInvalid(["NMTune arithmetic version 3", "versions 1–2"], method: .nmtune, hyperparameters: h)
        h = .defaults(for: .mlp)
        h.nmtuneArithmetic = 2
        expectInvalid(["mlp runs no SVD", "version 2"], hyperparameters: h)
    }

    /// Both NMTune arithmetics train to the same accuracy on the separated problem, and a spec
    /// without a version (stored before the field existed) computes version 1.
    @Test func nmtuneArithmeticsAgreeAndAMissingVersionIsOne() throws {
        var h = TuningHyperparameters.defaults(for: .nmtune)
        h.epochs = 3
        let small = LabeledFeatures(features: Self.train.features.withView { $0.rows(0..<300).copy() }, labels: Array(Self.train.labels.prefix(300)))
        func run(_ version: Int?) throws -> TuningOutcome {
            h.nmtuneArithmetic = version
            return try tune(method: .nmtune, hyperparameters: h, train: small, test: Self.test, classCount: 10, seed: 9)
        }
        let missing = try run(nil), one = try run(1), two = try run(2)
        #expect(missing.trainLoss.bitPattern == one.trainLoss.bitPattern && missing.tunedTestFeatures == one.tunedTestFeatures)
        #expect(two.trainLoss != one.trainLoss, "arithmetic 2 should not give arithmetic 1's bits")
        #expect(abs(two.accuracy - one.accuracy) <= 0.005, "accuracy \(one.accuracy) vs \(two.accuracy)")
        #expect(abs(two.trainLoss - one.trainLoss) <= 1e-3 * one.trainLoss, "loss \(one.trainLoss) vs \(two.trainLoss)")
    }

    @Test func divergenceIsReportedAsNonFinite() {
        var h = TuningHyperparameters.defaults(for: .lp)
        h.learningRate = 1e37
        h.weightDecay = 0
        do {
            _ = try tune(method: .lp, hyperparameters: h, train: Self.train, test: Self.test, classCount: 10, seed: 0)
            Issue.record("expected a non-finite error")
        } catch let error as TuningError {
            #expect(error.code == .nonFinite)
            #expect(error.message.contains("epoch 0 step"), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
