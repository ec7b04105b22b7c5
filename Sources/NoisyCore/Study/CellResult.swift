/// What one cell produced: the measured numbers of an evaluate cell, or the summary of a
/// pre-training (whose model travels separately as an artifact).
///
/// Everything except ``timings`` is a pure function of the cell's spec: the same spec gives
/// bitwise the same values on any worker.
public struct CellResult: Codable, Hashable, Sendable {
    /// Evaluate: test accuracy of the tuned probe. Pretrain: source test accuracy on clean labels.
    public var accuracy: Double
    /// SVE and LSVR of the frozen features of the task's test split (evaluate cells).
    public var sve: Double?
    public var lsvr: Double?
    /// SVE and LSVR of the tuned features Z on the test split (MLP and NMTune).
    public var tunedSVE: Double?
    public var tunedLSVR: Double?
    /// Mean training loss over the last epoch.
    public var trainLoss: Double?
    /// NMTune's loss terms over the last epoch (unweighted means).
    public var lossTerms: LossTerms?
    /// The realised label-noise ratio of the pre-training behind this cell.
    public var realisedNoise: Double?
    /// Pretrain cells: SHA-256 (hex) of the model artifact produced.
    public var artifactSHA256: String?
    /// Wall time of each phase in seconds (`"load"`, `"pretrain"`, `"extract"`, `"tune"`, …).
    /// Not deterministic, and not part of result comparisons.
    public var timings: [String: Double]

    public init(accuracy: Double, sve: Double? = nil, lsvr: Double? = nil, tunedSVE: Double? = nil,
                tunedLSVR: Double? = nil, trainLoss: Double? = nil, lossTerms: LossTerms? = nil,
                realisedNoise: Double? = nil, artifactSHA256: String? = nil, timings: [String: Double] = [:]) {
        self.accuracy = accuracy
        self.sve = sve
        self.lsvr = lsvr
        self.tunedSVE = tunedSVE
        self.tunedLSVR = tunedLSVR
        self.trainLoss = trainLoss
        self.lossTerms = lossTerms
        self.realisedNoise = realisedNoise
        self.artifactSHA256 = artifactSHA256
        self.timings = timings
    }

    /// The result without its timings: what determinism is checked on.
    public var withoutTimings: CellResult {
        var copy = self
        copy.timings = [:]
        return copy
    }
}

/// The terms of NMTune's loss, each unweighted (mean over the last epoch's steps).
public struct LossTerms: Codable, Hashable, Sendable {
    public var crossEntropy: Double
    public var consistency: Double
    public var singular: Double
    public var covariance: Double

    public init(crossEntropy: Double, consistency: Double, singular: Double, covariance: Double) {
        self.crossEntropy = crossEntropy
        self.consistency = consistency
        self.singular = singular
        self.covariance = covariance
    }
}
