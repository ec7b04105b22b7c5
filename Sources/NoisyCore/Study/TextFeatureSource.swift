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
    /// The version of the encoder's arithmetic the cell's embeddings are computed with, part of the
    /// cell key: versions agree with the reference to cosine ≥ 0.9999 but differ in their last bits,
    /// so a new version is new work, never a different result under an old key. A spec stored
    /// before the field existed decodes as version 1; a worker computes only ``currentArithmetic``
    /// and refuses another version by name.
    public var arithmetic: Int

    /// The version this build's encoder computes (docs/encoder.md lists them).
    public static let currentArithmetic = 2

    public init(encoder: String, textsPerClass: Int, arithmetic: Int = EncoderFeatures.currentArithmetic) {
        self.encoder = encoder
        self.textsPerClass = textsPerClass
        self.arithmetic = arithmetic
    }

    enum CodingKeys: String, CodingKey { case encoder, textsPerClass, arithmetic }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        encoder = try c.decode(String.self, forKey: .encoder)
        textsPerClass = try c.decode(Int.self, forKey: .textsPerClass)
        arithmetic = try c.decodeIfPresent(Int.self, forKey: .arithmetic) ?? 1
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
