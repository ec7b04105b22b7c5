public import NoisyCore

/// A validated grid file: the axes of a study and the settings shared by its cells.
///
/// Made by ``Grid/parse(yaml:file:baseDirectory:)`` or ``Grid/load(path:)``; expanded into cells
/// by ``Grid/expand()``. Format: docs/grid.md.
public struct Grid: Hashable, Sendable {
    /// The sweep's name (`name:` in the file; the loader defaults it to the file's base name).
    public var name: String?
    /// Label-noise ratios of pre-training, each in [0, 1), in file order.
    public var noiseRatios: [Double]
    /// Downstream task names (``GridTask/all`` for grids with pre-training; free labels in
    /// black-box grids), in file order.
    public var tasks: [String]
    /// Tuning methods with their resolved hyper-parameters, in file order.
    public var methods: [GridMethod]
    /// Seeds of the models: pre-training seeds (black-box: feature-set seeds).
    public var seeds: [UInt64]
    /// Seeds of the probes (task split, probe initialisation, batch order), crossed with `seeds`;
    /// nil: each model's probe seed is its own seed (one probe per model).
    public var probeSeeds: [UInt64]?
    /// How the tasks are built (`task_parameters:`); each cell keeps the fields its task reads.
    public var taskParameters: TaskParameters
    /// The pre-training settings; `noiseRatio` and `seed` are placeholders (0) that expansion
    /// replaces. `nil` in black-box grids.
    public var pretraining: PretrainSpec?
    /// Black-box grids: the feature files of every (task, noise ratio). `nil` with pre-training.
    public var featureFiles: [BlackBoxKey: FeatureFiles]?
    /// Encoder grids (`features: {encoder: …}`): the encoder whose embeddings of the text tasks
    /// the cells tune on. `nil` otherwise.
    public var encoder: EncoderFeatures?
    /// Command grids (`extract:`): the command each (noise ratio, seed) runs to make the features
    /// its evaluate cells read. `nil` otherwise.
    public var command: CommandTemplate?
    /// Attempts of a cell before it is marked failed (a crash, a lost worker and a retryable error
    /// each count one).
    public var maxAttempts: Int

    public init(name: String? = nil, noiseRatios: [Double], tasks: [String], methods: [GridMethod],
                seeds: [UInt64], probeSeeds: [UInt64]? = nil, taskParameters: TaskParameters = TaskParameters(),
                pretraining: PretrainSpec?, featureFiles: [BlackBoxKey: FeatureFiles]? = nil, maxAttempts: Int = 3,
                encoder: EncoderFeatures? = nil, command: CommandTemplate? = nil) {
        self.name = name
        self.noiseRatios = noiseRatios
        self.tasks = tasks
        self.methods = methods
        self.seeds = seeds
        self.probeSeeds = probeSeeds
        self.taskParameters = taskParameters
        self.pretraining = pretraining
        self.featureFiles = featureFiles
        self.maxAttempts = maxAttempts
        self.encoder = encoder
        self.command = command
    }

    /// Whether the grid reads features from files instead of pre-training a model.
    public var isBlackBox: Bool { featureFiles != nil }

    /// The default `max_attempts`.
    public static let defaultMaxAttempts = 3
}

/// One entry of the methods axis: a tuning method and its hyper-parameters after overrides.
public struct GridMethod: Hashable, Sendable {
    public var method: TuningMethod
    public var hyperparameters: TuningHyperparameters

    public init(method: TuningMethod, hyperparameters: TuningHyperparameters? = nil) {
        self.method = method
        self.hyperparameters = hyperparameters ?? .defaults(for: method)
    }
}

/// The (task, noise ratio) a black-box feature set belongs to.
public struct BlackBoxKey: Hashable, Sendable {
    public var task: String
    public var noiseRatio: Double
    /// The seed the features were made with (a model pre-trained per seed), or nil when one set of
    /// files serves every seed of the grid.
    public var seed: UInt64?

    public init(task: String, noiseRatio: Double, seed: UInt64? = nil) {
        self.task = task
        self.noiseRatio = noiseRatio
        self.seed = seed
    }
}
