// The specs of the study's computations: pre-training and evaluation, with their methods,
// hyper-parameters and feature sources. The cell-spec enum that wraps them (with the no-op cell of
// the runtime's tests) is SweepKit's `CellSpec`.

/// The optimiser of pre-training.
public enum PretrainOptimizer: String, Codable, Hashable, Sendable, CaseIterable {
    case sgd
    case adamw
}

/// Pre-training of the small CNN of docs/science.md on Fashion-MNIST train (or rendered glyphs:
/// ``glyphs``) with symmetric label noise.
public struct PretrainSpec: Codable, Hashable, Sendable {
    /// Fraction of source labels replaced, in [0, 1).
    public var noiseRatio: Double
    /// Seed of the noise, the initialisation and the batch order.
    public var seed: UInt64
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: PretrainOptimizer
    public var learningRate: Double
    /// SGD momentum (ignored by AdamW).
    public var momentum: Double
    public var weightDecay: Double
    /// Output channels of the first and second 3×3 convolutions.
    public var conv1Channels: Int
    public var conv2Channels: Int
    /// Dimension D of the feature (penultimate) layer.
    public var featureDimension: Int
    /// Use only the first this-many source images (after a seeded shuffle); `nil` = all 60,000.
    public var sourceSamples: Int?
    /// How a noisy label is drawn (the realised ratio is r for `.exclusive`, ≈ r·(C−1)/C for `.uniform`).
    public var noiseModel: NoiseModel
    /// The source: nil for Fashion-MNIST, else a rendered glyph set (absent from the canonical
    /// JSON when nil, so Fashion-MNIST cells keep their keys).
    public var glyphs: GlyphSourceSpec?

    public init(
        noiseRatio: Double, seed: UInt64, epochs: Int = 4, batchSize: Int = 128,
        optimizer: PretrainOptimizer = .sgd, learningRate: Double = 0.05, momentum: Double = 0.9,
        weightDecay: Double = 5e-4, conv1Channels: Int = 16, conv2Channels: Int = 32,
        featureDimension: Int = 128, sourceSamples: Int? = nil, noiseModel: NoiseModel = .exclusive,
        glyphs: GlyphSourceSpec? = nil
    ) {
        self.noiseRatio = noiseRatio
        self.seed = seed
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.conv1Channels = conv1Channels
        self.conv2Channels = conv2Channels
        self.featureDimension = featureDimension
        self.sourceSamples = sourceSamples
        self.noiseModel = noiseModel
        self.glyphs = glyphs
    }
}

/// The three tuning methods of docs/science.md.
public enum TuningMethod: String, Codable, Hashable, Sendable, CaseIterable {
    /// A linear head on the frozen features.
    case lp
    /// A residual MLP on the features, then a linear head; cross-entropy only.
    case mlp
    /// The MLP with NMTune's consistency, singular-value and covariance terms.
    case nmtune
}

/// Hyper-parameters of a tuning method; ``defaults(for:)`` is the authors' recipe.
public struct TuningHyperparameters: Codable, Hashable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var weightDecay: Double
    /// Linear warm-up steps before the cosine decay (0 in the recipe).
    public var warmupSteps: Int
    /// Width of g's hidden layer as a multiple of D (4 in the recipe).
    public var hiddenMultiplier: Int
    /// NMTune's loss weights and the number of dominant singular values.
    public var consistencyWeight: Double
    public var singularWeight: Double
    public var covarianceWeight: Double
    public var topK: Int
    /// The version of NMTune's arithmetic (its batch SVD, ``NMTuneArithmetic``) from version 2 on,
    /// part of an NMTune cell's key. Nil means version 1 for NMTune, so an NMTune spec stored before
    /// the field existed, or one that pins version 1, keeps its key; LP and MLP run no SVD and
    /// always have nil. Set it through ``setNMTuneArithmetic(_:)``, which stores 1 as nil.
    public var nmtuneArithmetic: Int?

    /// NMTune's arithmetic version (1 when ``nmtuneArithmetic`` is nil).
    public var nmtuneArithmeticVersion: Int { nmtuneArithmetic ?? 1 }

    /// Sets NMTune's arithmetic version, storing version 1 as nil (the key it always had).
    public mutating func setNMTuneArithmetic(_ version: Int) {
        nmtuneArithmetic = version == 1 ? nil : version
    }

    /// The authors' recipe for `method` (docs/science.md, "The tuning methods").
    public static func defaults(for method: TuningMethod) -> TuningHyperparameters {
        var recipe = TuningHyperparameters(
            epochs: 30, batchSize: 64, learningRate: method == .lp ? 0.01 : 1e-3, weightDecay: 1e-4,
            warmupSteps: 0, hiddenMultiplier: 4, consistencyWeight: 1.0, singularWeight: 0.001,
            covarianceWeight: 0.04, topK: 5)
        if method == .nmtune { recipe.setNMTuneArithmetic(NMTuneArithmetic.current) }
        return recipe
    }
}

/// Where an evaluate cell's features come from.
public enum FeatureSource: Codable, Hashable, Sendable {
    /// Extract them with the model that this pre-training produces.
    case pretrained(PretrainSpec)
    /// Read them from NPY files made by any outside model (black-box mode).
    case files(FeatureFiles)
    /// Embed a text task's texts with a text encoder on the worker (``TextFeatureProvider``).
    case encoder(EncoderFeatures)
    /// Read them from the output folder of a command cell (an outside extractor or pre-training
    /// run by a worker that opted in); the worker fetches that output by its SHA-256.
    case command(CommandFeatures)
}

/// The command cell whose output folder holds an evaluate cell's features (its
/// `<task>/{train,test}_{features,labels}.npy` files, docs/grid.md "Command cells").
public struct CommandFeatures: Codable, Hashable, Sendable {
    /// The command cell's key (64 hex digits): it names the command, its inputs' contents, its
    /// environment, the noise ratio and the seed, so a changed input re-keys its evaluate cells.
    public var cell: String

    public init(cell: String) { self.cell = cell }
}

/// NPY files of one black-box feature set: features (float32, N×D) and labels per split.
public struct FeatureFiles: Codable, Hashable, Sendable {
    public var trainFeatures: String
    public var trainLabels: String
    public var testFeatures: String
    public var testLabels: String
    /// SHA-256 of the four files' contents, in the order above, so a changed file is a new cell.
    public var sha256: [String]

    public init(trainFeatures: String, trainLabels: String, testFeatures: String, testLabels: String, sha256: [String]) {
        self.trainFeatures = trainFeatures
        self.trainLabels = trainLabels
        self.testFeatures = testFeatures
        self.testLabels = testLabels
        self.sha256 = sha256
    }
}

/// Tuning and measurement of one method on one downstream task.
public struct EvaluateSpec: Codable, Hashable, Sendable {
    /// The noise ratio of the features' pre-training (for reports; black-box grids name it).
    public var noiseRatio: Double
    /// The downstream task, e.g. `"fmnist"` or `"mnist5k->digits"`.
    public var task: String
    public var method: TuningMethod
    /// Seed of the model: the pre-training's seed (black-box: the feature set's seed). For reports;
    /// the model itself is named by `features`.
    public var seed: UInt64
    /// Seed of the task split, the probe's initialisation and its batch order. The same probe seed
    /// gives the same split, initialisation and order at every noise ratio and for every method, so
    /// their differences pair.
    public var probeSeed: UInt64
    public var hyperparameters: TuningHyperparameters
    public var features: FeatureSource
    /// How the task is built (integrated mode; only the fields the task reads, see
    /// ``TaskParameters/relevant(to:)``). Nil in black-box mode, whose features come made.
    public var taskParameters: TaskParameters?

    public init(noiseRatio: Double, task: String, method: TuningMethod, seed: UInt64, probeSeed: UInt64? = nil,
                hyperparameters: TuningHyperparameters? = nil, features: FeatureSource, taskParameters: TaskParameters? = nil) {
        self.noiseRatio = noiseRatio
        self.task = task
        self.method = method
        self.seed = seed
        self.probeSeed = probeSeed ?? seed
        self.hyperparameters = hyperparameters ?? .defaults(for: method)
        self.features = features
        if case .pretrained = features {
            let parameters = taskParameters ?? TaskParameters()
            // Tasks defined outside the core (the glyph tasks) read only the train fraction.
            self.taskParameters = (try? DownstreamTask(name: task)).map { parameters.relevant(to: $0) }
                ?? TaskParameters(trainFraction: parameters.trainFraction)
        } else {
            self.taskParameters = taskParameters
        }
    }
}
