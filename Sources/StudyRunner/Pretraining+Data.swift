public import NoisyCore
import StudyData

/// Pre-trains the study's CNN as `spec` says, on Fashion-MNIST from `dataDirectory`.
/// (NoisyCore's `pretrain(_:source:sourceTest:)` after loading both splits.)
/// - Throws: ``DataError`` for missing/corrupt data, ``PretrainError`` for a bad spec or divergence.
public func pretrain(_ spec: PretrainSpec, dataDirectory: String) throws -> PretrainOutcome {
    if let problem = spec.problem { throw PretrainError(.invalidSpec, "pre-training spec: \(problem)") }
    let train = try Dataset.fashionMNIST(.train, dataDirectory: dataDirectory)
    let test = try Dataset.fashionMNIST(.test, dataDirectory: dataDirectory)
    return try pretrain(spec, source: train, sourceTest: test)
}
