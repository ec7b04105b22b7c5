import Foundation
import NoisyCore
import Testing
import StudyData
import StudyRunner

/// `CellRunner`: failures it classifies, and real pretrain / evaluate cells that are bitwise
/// reproducible. (No-op cells are the worker's: SweepWorkerTests.)
@Suite struct CellRunnerFailureTests {
    let runner = CellRunner(dataDirectory: "/nonexistent")

    @Test func evaluateWithoutItsModelIsRetryable() {
        let spec = EvaluateSpec(noiseRatio: 0, task: "digits", method: .lp, seed: 1, features: .pretrained(PretrainSpec(noiseRatio: 0, seed: 1)))
        do { _ = try runner.run(evaluate: spec); Issue.record("no error") } catch let e as CellRunnerError {
            #expect(e.retryable && e.message.contains("model"))
        } catch { Issue.record("\(error)") }
    }

    @Test func featureFilesWithTheWrongHashAreNotTrusted() throws {
        let directory = try TestFiles.directory()
        var rng = RandomStream(seed: 2)
        let x = Matrix(rows: 40, cols: 8) { _, _ in rng.normal() }
        let y = (0..<40).map { $0 % 4 }
        let names = ["trX.npy", "trY.npy", "teX.npy", "teY.npy"].map { directory + "/" + $0 }
        try NPYArray.write(x, to: names[0]); try NPYArray.write(labels: y, to: names[1])
        try NPYArray.write(x, to: names[2]); try NPYArray.write(labels: y, to: names[3])
        var hashes = try names.map { try SHA256.hash(fileAt: $0).hex }
        var h = TuningHyperparameters.defaults(for: .lp)
        h.epochs = 3
        func spec() -> EvaluateSpec {
            EvaluateSpec(noiseRatio: 0, task: "custom", method: .lp, seed: 1, hyperparameters: h,
                                   features: .files(FeatureFiles(trainFeatures: names[0], trainLabels: names[1], testFeatures: names[2], testLabels: names[3], sha256: hashes)))
        }
        let good = try runner.run(evaluate: spec())
        #expect(good.result.sve != nil && good.result.tunedSVE == nil && good.result.realisedNoise == nil)
        #expect(try runner.run(evaluate: spec()).result.withoutTimings == good.result.withoutTimings)
        let right = hashes[2]
        hashes[2] = String(repeating: "0", count: 64)
        do { _ = try runner.run(evaluate: spec()); Issue.record("no error") } catch let e as CellRunnerError {
            #expect(!e.retryable && e.message.contains(names[2]) && e.message.contains(right) && e.message.contains(hashes[2]))
        }
    }
}

@Suite(.enabled(if: RealData.available, RealData.skipReason))
struct CellRunnerTests {
    static let pretrainSpec = PretrainSpec(noiseRatio: 0.1, seed: 7, epochs: 1, batchSize: 64, conv1Channels: 4,
                                           conv2Channels: 8, featureDimension: 16, sourceSamples: 2000)

    @Test func pretrainCellIsBitwiseReproducible() throws {
        let runner = CellRunner(dataDirectory: RealData.directory)
        let a = try runner.run(pretrain: Self.pretrainSpec)
        let b = try runner.run(pretrain: Self.pretrainSpec)
        let bytes = try #require(a.artifact)
        #expect(bytes == b.artifact)
        #expect(a.result.withoutTimings == b.result.withoutTimings)
        #expect(a.result.artifactSHA256 == SHA256.hash(bytes).hex)
        #expect(a.result.realisedNoise == 0.1)
        #expect(Set(a.result.timings.keys) == ["load", "pretrain", "evaluate"])
        let decoded = try ModelFile.decode(bytes)
        #expect(decoded.metadata.spec == Self.pretrainSpec && decoded.metadata.sourceTestAccuracy == a.result.accuracy)
    }

    @Test(arguments: [TuningMethod.lp, .nmtune])
    func evaluateCellIsBitwiseReproducibleThroughTheCache(method: TuningMethod) throws {
        let cacheDirectory = try TestFiles.directory()
        let runner = CellRunner(dataDirectory: RealData.directory, cacheDirectory: cacheDirectory)
        let model = try #require(try runner.run(pretrain: Self.pretrainSpec).artifact)
        var h = TuningHyperparameters.defaults(for: method)
        h.epochs = 2
        let spec = EvaluateSpec(noiseRatio: 0.1, task: "digits", method: method, seed: 3, hyperparameters: h,
                                features: .pretrained(Self.pretrainSpec))
        let first = try runner.run(evaluate: spec, model: model)       // extracts and fills the cache
        let second = try runner.run(evaluate: spec, model: model)      // reads the cache
        let uncached = try CellRunner(dataDirectory: RealData.directory).run(evaluate: spec, model: model)
        #expect(first.result.withoutTimings == second.result.withoutTimings)
        #expect(first.result.withoutTimings == uncached.result.withoutTimings)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheDirectory).filter { $0.hasSuffix(".feat") }.count == 2)
        let r = first.result
        #expect(r.accuracy > 0.1 && r.accuracy <= 1)
        #expect(r.realisedNoise == 0.1 && r.sve != nil && r.lsvr != nil)
        #expect((r.tunedSVE != nil) == (method != .lp))
        #expect(Set(r.timings.keys) == ["load", "extract", "tune", "metrics"])
    }

    @Test func modelOfAnotherSpecIsRefused() throws {
        let runner = CellRunner(dataDirectory: RealData.directory)
        let model = try #require(try runner.run(pretrain: Self.pretrainSpec).artifact)
        var other = Self.pretrainSpec
        other.seed = 8
        let spec = EvaluateSpec(noiseRatio: 0.1, task: "digits", method: .lp, seed: 3, features: .pretrained(other))
        do { _ = try runner.run(evaluate: spec, model: model); Issue.record("no error") } catch let e as CellRunnerError {
            #expect(!e.retryable && e.message.contains("different spec"))
        }
        var corrupt = model
        corrupt[corrupt.count / 2] ^= 1
        do { _ = try runner.run(evaluate: EvaluateSpec(noiseRatio: 0.1, task: "digits", method: .lp, seed: 3, features: .pretrained(Self.pretrainSpec)), model: corrupt)
            Issue.record("no error")
        } catch let e as CellRunnerError {
            #expect(!e.retryable && e.message.contains("SHA-256"))
        }
    }
}
