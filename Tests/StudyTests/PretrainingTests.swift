import NoisyCore
import Testing
import StudyData
import StudyRunner

/// Pre-training on real Fashion-MNIST (a small subset): deterministic, realises the noise, learns.
@Suite(.enabled(if: RealData.available, RealData.skipReason))
struct PretrainingTests {
    static let spec = PretrainSpec(noiseRatio: 0.2, seed: 4, epochs: 3, batchSize: 64, conv1Channels: 4,
                                   conv2Channels: 8, featureDimension: 16, sourceSamples: 2000)

    @Test func deterministicAndRealisesTheNoise() throws {
        let a = try pretrain(Self.spec, dataDirectory: RealData.directory)
        let b = try pretrain(Self.spec, dataDirectory: RealData.directory)
        for (x, y) in zip(a.network.namedTensors, b.network.namedTensors) { #expect(x.value == y.value, "\(x.name)") }
        #expect(a.sourceTestAccuracy == b.sourceTestAccuracy && a.trainLoss == b.trainLoss)
        #expect(a.realisedNoise == 0.2)  // exactly round(0.2 · 2000) = 400 labels
        #expect(a.trainLoss.isFinite && a.trainLoss > 0)
        // Three epochs on 2,000 images already beats chance (10 %) by far on clean test labels.
        #expect(a.sourceTestAccuracy > 0.4, "source accuracy \(a.sourceTestAccuracy)")
        #expect(a.network.architecture.featureDimension == 16)
    }

    @Test func seedChangesTheModel() throws {
        var other = Self.spec
        other.seed = 5
        let a = try pretrain(Self.spec, dataDirectory: RealData.directory)
        let b = try pretrain(other, dataDirectory: RealData.directory)
        #expect(a.network.namedTensors[0].value != b.network.namedTensors[0].value)
    }

    @Test func adamWTrainsToo() throws {
        var spec = Self.spec
        spec.optimizer = .adamw
        spec.learningRate = 2e-3
        spec.weightDecay = 1e-4
        let outcome = try pretrain(spec, dataDirectory: RealData.directory)
        // Tiny net, 3 epochs of AdamW at 2e-3: well above chance (10 %), below the SGD run.
        #expect(outcome.sourceTestAccuracy > 0.25, "source accuracy \(outcome.sourceTestAccuracy)")
    }

    @Test func badSpecsAreRejectedByName() {
        var spec = Self.spec
        spec.noiseRatio = 1.5
        #expect(spec.problem?.contains("noiseRatio") == true)
        spec = Self.spec
        spec.epochs = 0
        #expect(spec.problem?.contains("epochs") == true)
        spec = Self.spec
        spec.conv2Channels = 0
        #expect(spec.problem?.contains("channels") == true)
        #expect(throws: PretrainError.self) { try pretrain(spec, dataDirectory: RealData.directory) }
    }
}
