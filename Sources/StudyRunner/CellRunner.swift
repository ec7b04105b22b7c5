import Foundation
public import NoisyCore
import StudyData

/// What running one cell produced: the result record and, for a pre-training, the model file.
public struct CellOutput: Sendable {
    public var result: CellResult
    /// Pretrain cells: the model file bytes (``ModelFile``); `result.artifactSHA256` is their hash.
    public var artifact: [UInt8]?

    public init(result: CellResult, artifact: [UInt8]? = nil) {
        self.result = result
        self.artifact = artifact
    }
}

/// Why a cell failed, and whether running it again could succeed.
public struct CellRunnerError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure, for callers that classify it (the worker's FAILURE reason).
    public enum Code: Sendable, Equatable {
        /// A fault of the environment (a missing artifact or data file, I/O): may pass on retry.
        case environment
        /// A fault of the cell itself (a bad spec, corrupt data): fails the same way every time.
        case badInput
        /// Training or the features produced NaN or infinity: deterministic given the spec.
        case nonFinite
    }

    public var code: Code
    public var message: String
    public var description: String { message }
    /// True for faults of the environment, false for faults of the cell itself, which fail the
    /// same way every time.
    public var retryable: Bool { code == .environment }

    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public init(retryable: Bool, message: String) {
        self.init(retryable ? .environment : .badInput, message: message)
    }
}

/// Runs one cell of the study in-process: spec (+ model bytes) in, result record out.
///
/// Pure and deterministic: the same spec with the same model bytes gives bitwise the same
/// ``CellResult`` (except ``CellResult/timings``) and, for a pre-training, the same model bytes.
/// Blocking and CPU-bound: call it from a thread of your own, not from Swift's cooperative pool.
public struct CellRunner: Sendable {
    public let dataDirectory: String
    /// Where extracted features are cached (nil: no cache).
    public let cacheDirectory: String?
    /// Makes the features of evaluate cells with an ``FeatureSource/encoder(_:)`` source (nil:
    /// such cells fail, naming what is missing).
    public let textFeatures: (any TextFeatureProvider)?

    public init(dataDirectory: String, cacheDirectory: String? = nil, textFeatures: (any TextFeatureProvider)? = nil) {
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory
        self.textFeatures = textFeatures
    }

    /// Runs a pre-training; its output carries the model file.
    /// - Throws: ``CellRunnerError`` (every failure is mapped to one, with `retryable` set).
    public func run(pretrain spec: PretrainSpec) throws -> CellOutput {
        try classifyingErrors { try runPretrain(spec) }
    }

    /// Runs an evaluate cell. `model`: the model file bytes a `.pretrained` feature source needs
    /// (nil otherwise).
    /// - Throws: ``CellRunnerError`` (every failure is mapped to one, with `retryable` set).
    public func run(evaluate spec: EvaluateSpec, model: [UInt8]? = nil) throws -> CellOutput {
        try classifyingErrors { try runEvaluate(spec, model: model) }
    }

    /// Maps every failure of `body` to a ``CellRunnerError`` with its code.
    private func classifyingErrors(_ body: () throws -> CellOutput) throws -> CellOutput {
        do {
            return try body()
        } catch let error as CellRunnerError {
            throw error
        } catch let error as DataError {
            // Missing or unreadable files may be fixed by fetching on this node; bad bytes will not.
            let retryable = [.io, .missingFile, .fetchFailed].contains(error.code)
            throw CellRunnerError(retryable: retryable, message: "data: \(error)")
        } catch let error as TuningError {
            throw error.code == .nonFinite ? CellRunnerError(.nonFinite, message: "non-finite tuning: \(error)")
                : CellRunnerError(.badInput, message: "tuning: \(error)")
        } catch let error as PretrainError {
            throw CellRunnerError(error.code == .nonFinite ? .nonFinite : .badInput,
                                  message: error.code == .nonFinite ? "non-finite pre-training: \(error)" : "\(error)")
        } catch let error as ModelFileError {
            throw CellRunnerError(retryable: false, message: "\(error)")
        } catch let error as SpectrumMetricsError {
            throw CellRunnerError(retryable: false, message: "spectrum metrics: \(error)")
        } catch let error as SVDError {
            throw CellRunnerError(.nonFinite, message: "non-finite features (SVD): \(error)")
        } catch let error as LabelNoiseError {
            throw CellRunnerError(retryable: false, message: "label noise: \(error)")
        } catch {
            throw CellRunnerError(retryable: false, message: "\(error)")
        }
    }

    // MARK: pretrain

    private func runPretrain(_ spec: PretrainSpec) throws -> CellOutput {
        let clock = ContinuousClock()
        var start = clock.now
        if let problem = spec.problem { throw PretrainError(.invalidSpec, "pre-training spec: \(problem)") }
        let (train, test) = try sourceData(spec)
        let load = (clock.now - start).inSeconds
        let outcome = try pretrain(spec, source: train, sourceTest: test)
        start = clock.now
        let metadata = ModelMetadata(architecture: outcome.network.architecture, spec: spec, realisedNoise: outcome.realisedNoise,
                                     sourceTestAccuracy: outcome.sourceTestAccuracy, trainLoss: outcome.trainLoss,
                                     memorisation: outcome.memorisation, corruptedCleanAccuracy: outcome.corruptedCleanAccuracy)
        let bytes = ModelFile.encode(network: outcome.network, metadata: metadata)
        let hash = SHA256.hash(bytes).hex
        let encode = (clock.now - start).inSeconds
        let result = CellResult(accuracy: outcome.sourceTestAccuracy, trainLoss: outcome.trainLoss,
                                realisedNoise: outcome.realisedNoise, artifactSHA256: hash,
                                timings: ["load": load, "pretrain": outcome.timings["train"] ?? 0,
                                          "evaluate": (outcome.timings["test"] ?? 0) + encode])
        return CellOutput(result: result, artifact: bytes)
    }

    // MARK: evaluate

    private func runEvaluate(_ spec: EvaluateSpec, model: [UInt8]?) throws -> CellOutput {
        let clock = ContinuousClock()
        var timings: [String: Double] = [:]
        var start = clock.now
        let train: LabeledFeatures, test: LabeledFeatures, classCount: Int
        var realisedNoise: Double?
        switch spec.features {
        case .pretrained(let pretrainSpec):
            guard let model else {
                throw CellRunnerError(retryable: true, message: "evaluate cell \(spec.task)/\(spec.method.rawValue) needs the model file of its pre-training, and none was given")
            }
            let decoded = try ModelFile.decode(model)
            guard decoded.metadata.spec == pretrainSpec else {
                throw CellRunnerError(retryable: false, message: "the model given was pre-trained from a different spec (noise \(decoded.metadata.spec.noiseRatio), seed \(decoded.metadata.spec.seed)) than the cell names (noise \(pretrainSpec.noiseRatio), seed \(pretrainSpec.seed))")
            }
            realisedNoise = decoded.metadata.realisedNoise
            let parameters = spec.taskParameters ?? TaskParameters()
            let data = try taskSplits(spec.task, seed: spec.probeSeed, parameters: parameters)
            classCount = data.train.classCount
            timings["load"] = (clock.now - start).inSeconds
            start = clock.now
            let modelHash = decoded.fileSHA256.hex
            func extract(_ dataset: Dataset, split: String) -> Matrix {
                guard let cacheDirectory else { return decoded.network.features(of: dataset.images) }
                let key = FeatureCache.key(modelSHA256: modelHash, task: spec.task, seed: spec.probeSeed, parameters: parameters, split: split)
                return FeatureCache(directory: cacheDirectory).features(key: key, expectedRows: dataset.count) {
                    decoded.network.features(of: dataset.images)
                }.features
            }
            train = LabeledFeatures(features: extract(data.train, split: "train"), labels: data.train.labels)
            test = LabeledFeatures(features: extract(data.test, split: "test"), labels: data.test.labels)
            timings["extract"] = (clock.now - start).inSeconds
        case .files(let files):
            let paths = [files.trainFeatures, files.trainLabels, files.testFeatures, files.testLabels]
            guard files.sha256.count == 4 else {
                throw CellRunnerError(retryable: false, message: "feature files name \(files.sha256.count) SHA-256 values, need 4 (train features, train labels, test features, test labels)")
            }
            for (path, expected) in zip(paths, files.sha256) {
                let actual = try SHA256.hash(fileAt: path).hex
                guard actual == expected.lowercased() else {
                    throw CellRunnerError(retryable: false, message: "feature file \(path) has SHA-256 \(actual), the spec expects \(expected)")
                }
            }
            let trainX = try DataError.withPath(files.trainFeatures) { try NPYArray.read(files.trainFeatures).matrix() }
            let trainY = try DataError.withPath(files.trainLabels) { try NPYArray.read(files.trainLabels).labels() }
            let testX = try DataError.withPath(files.testFeatures) { try NPYArray.read(files.testFeatures).matrix() }
            let testY = try DataError.withPath(files.testLabels) { try NPYArray.read(files.testLabels).labels() }
            train = LabeledFeatures(features: trainX, labels: trainY)
            test = LabeledFeatures(features: testX, labels: testY)
            if let task = try? DownstreamTask(name: spec.task) {
                classCount = task.classCount
            } else {
                classCount = (trainY + testY).reduce(0, max) + 1
            }
            timings["load"] = (clock.now - start).inSeconds
            timings["extract"] = 0
        case .command(let command):
            throw CellRunnerError(retryable: false, message: "evaluate cell \(spec.task)/\(spec.method.rawValue) reads the output folder of command cell \(command.cell.prefix(12)); a worker resolves it into files first (this runner has none)")
        case .encoder(let source):
            guard let textFeatures else {
                throw CellRunnerError(retryable: false, message: "evaluate cell \(spec.task)/\(spec.method.rawValue) needs the text encoder '\(source.encoder)', and this runner has none (a build without TextTasks?)")
            }
            let made = try textFeatures.features(task: spec.task, source: source, probeSeed: spec.probeSeed,
                                                 dataDirectory: dataDirectory, cacheDirectory: cacheDirectory)
            train = made.train
            test = made.test
            classCount = made.classCount
            timings.merge(made.timings) { $1 }
        }
        start = clock.now
        let outcome = try tune(method: spec.method, hyperparameters: spec.hyperparameters, train: train, test: test,
                               classCount: classCount, seed: spec.probeSeed)
        timings["tune"] = (clock.now - start).inSeconds
        start = clock.now
        let frozen = try SpectrumMetrics(features: test.features)
        let tuned = try outcome.tunedTestFeatures.map { try SpectrumMetrics(features: $0) }
        timings["metrics"] = (clock.now - start).inSeconds
        let result = CellResult(accuracy: outcome.accuracy, sve: frozen.sve, lsvr: frozen.lsvr, tunedSVE: tuned?.sve,
                                tunedLSVR: tuned?.lsvr, trainLoss: outcome.trainLoss, lossTerms: outcome.lossTerms,
                                realisedNoise: realisedNoise, timings: timings)
        return CellOutput(result: result)
    }

    private func withPath<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DataError { throw error.at(path) }
    }
}
