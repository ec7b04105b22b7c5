/// The text encoder an evaluate cell's features come from, and how many texts per class its task
/// draws (``FeatureSource/encoder(_:)``).
///
/// NoisyCore runs no encoder itself (the encoder and the text tasks live in the `TextEncoder` and
/// `TextTasks` modules, which depend on NoisyCore): a ``CellRunner`` given a
/// ``TextFeatureProvider`` asks it for the task's features, then tunes and measures them as it
/// does any other features.
public struct EncoderFeatures: Codable, Hashable, Sendable {
    /// The encoder's name in grids (`minilm-l6`: sentence-transformers' all-MiniLM-L6-v2).
    public var encoder: String
    /// Synsets (texts) per class in the task's pool; half train, half test (docs/data.md,
    /// "Text tasks").
    public var textsPerClass: Int

    public init(encoder: String, textsPerClass: Int) {
        self.encoder = encoder
        self.textsPerClass = textsPerClass
    }
}

/// A text task's train and test features, as a ``TextFeatureProvider`` makes them.
public struct TextTaskFeatures: Sendable {
    public var train: LabeledFeatures
    public var test: LabeledFeatures
    public var classCount: Int
    /// Seconds spent, by step (`load`: reading and selecting the texts; `extract`: encoding, or
    /// reading the cached embeddings).
    public var timings: [String: Double]

    public init(train: LabeledFeatures, test: LabeledFeatures, classCount: Int, timings: [String: Double]) {
        self.train = train
        self.test = test
        self.classCount = classCount
        self.timings = timings
    }
}

/// Makes the features of a text task with a text encoder, for ``CellRunner``.
///
/// Implementations must be deterministic: the same task, source and probe seed give bitwise the
/// same features on any machine.
public protocol TextFeatureProvider: Sendable {
    /// The features of `task` (its split drawn from `probeSeed`) under `source`.
    /// - Parameter cacheDirectory: where embeddings may be kept between cells (nil: no cache).
    /// - Throws: ``CellRunnerError`` (or ``DataError`` for data files).
    func features(task: String, source: EncoderFeatures, probeSeed: UInt64, dataDirectory: String,
                  cacheDirectory: String?) throws -> TextTaskFeatures
}
