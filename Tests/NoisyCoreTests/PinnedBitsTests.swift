import NoisyCore
import Testing

/// Speed-ups must not change a single model byte or result bit: short pre-trainings and tunings
/// whose artifacts and results were recorded with the code before the direct convolution kernels
/// (commit 187ee75) and are pinned here.
///
/// A deliberate change to what is computed (the science, not the speed) changes these values; it
/// updates them together with a result-format bump and says why.
@Suite(.enabled(if: RealData.available, RealData.skipReason))
struct PinnedBitsTests {
    /// Narrow CNN (4/8/16), SGD with momentum, 1,000 images in batches of 128 (the last one 104).
    static let tiny = PretrainSpec(noiseRatio: 0.2, seed: 1, epochs: 1, batchSize: 128, conv1Channels: 4,
                                   conv2Channels: 8, featureDimension: 16, sourceSamples: 1000)
    /// Odd widths (5/11/24) and AdamW, batches of 100: every kernel's tail paths.
    static let odd = PretrainSpec(noiseRatio: 0.1, seed: 5, epochs: 1, batchSize: 100, optimizer: .adamw,
                                  learningRate: 0.002, weightDecay: 1e-4, conv1Channels: 5, conv2Channels: 11,
                                  featureDimension: 24, sourceSamples: 700)

    @Test(arguments: [
        (tiny, "0a9f89cedd0383ab964145c20e4d23885731ca6d725546c23866634adb0a60c1"),
        (odd, "915e61f7add333f8872a15c5b1ad5b014ad08e0addc8cdb30a28fbd64e4c0144"),
    ])
    func preTrainedModelBytes(spec: PretrainSpec, sha256: String) throws {
        let output = try CellRunner(dataDirectory: RealData.directory).run(.pretrain(spec))
        let artifact = try #require(output.artifact)
        #expect(SHA256.hash(artifact).hex == sha256)
        #expect(output.result.artifactSHA256 == sha256)
    }

    /// MLP and NMTune (4 epochs, hidden 4·16) on digits with the tiny model's features: accuracy,
    /// last-epoch loss and NMTune's terms, bit for bit.
    @Test func tunedResults() throws {
        let runner = CellRunner(dataDirectory: RealData.directory)
        let model = try #require(try runner.run(.pretrain(Self.tiny)).artifact)
        func evaluate(_ method: TuningMethod) throws -> CellResult {
            var h = TuningHyperparameters.defaults(for: method)
            h.epochs = 4
            let spec = EvaluateSpec(noiseRatio: 0.2, task: "digits", method: method, seed: 2, hyperparameters: h,
                                    features: .pretrained(Self.tiny))
            return try runner.run(.evaluate(spec), model: model).result
        }
        let mlp = try evaluate(.mlp)
        #expect(mlp.accuracy == 0.5598885793871866)
        #expect(mlp.trainLoss == 1.5413552315338799)
        #expect(mlp.tunedSVE == 2.3640976926811375 && mlp.tunedLSVR == 1.4331136391653159)
        let nmtune = try evaluate(.nmtune)
        #expect(nmtune.accuracy == 0.5459610027855153)
        #expect(nmtune.trainLoss == 1.6363218283155454)
        #expect(nmtune.tunedSVE == 2.327080395693333 && nmtune.tunedLSVR == 1.444056337824382)
        let terms = try #require(nmtune.lossTerms)
        #expect(terms.consistency == 0.07151879046274268 && terms.covariance == 0.15808643137631065)
        #expect(terms.crossEntropy == 1.5586235004922617 && terms.singular == 0.14391974633521004)
    }
}
