/// How symmetric label noise draws a chosen sample's new label.
public enum NoiseModel: String, Codable, Hashable, Sendable, CaseIterable {
    /// From the *other* `C − 1` classes: every chosen label changes, the realised ratio is r
    /// (nmsweep's default).
    case exclusive
    /// From all `C` classes, as the authors' symmetric-noise code does: a chosen label keeps its
    /// class with probability 1/C, so the realised ratio is about r·(C − 1)/C (27 % for r = 30 %,
    /// C = 10).
    case uniform
}

/// Symmetric label noise, as the study injects it into the pre-training labels.
///
/// Exactly `round(ratio · N)` samples, chosen uniformly without replacement by the generator, get a
/// new label: with ``NoiseModel/exclusive`` drawn uniformly from the *other* `classCount − 1`
/// classes, so the realised noise ratio is the requested one up to rounding and no chosen sample
/// keeps its true label; with ``NoiseModel/uniform`` drawn from all classes (the authors' variant).
public struct SymmetricLabelNoise: Sendable, Equatable {
    /// The labels after noise injection.
    public let labels: [Int]
    /// Indices of the samples whose label differs from the clean one, in ascending order.
    public let corruptedIndices: [Int]
    /// The fraction of samples whose label differs from the clean one.
    public var realisedRatio: Double {
        labels.isEmpty ? 0 : Double(corruptedIndices.count) / Double(labels.count)
    }

    /// Injects noise at `ratio` into `cleanLabels` (values in `0..<classCount`).
    ///
    /// - Throws: ``LabelNoiseError`` when the ratio is outside [0, 1], fewer than two classes
    ///   exist, or a label is out of range.
    /// - Complexity: O(N).
    public init(cleanLabels: [Int], classCount: Int, ratio: Double, model: NoiseModel = .exclusive,
                generator: inout RandomStream) throws {
        guard ratio.isFinite, ratio >= 0, ratio <= 1 else { throw LabelNoiseError.ratioOutOfRange(ratio) }
        guard classCount >= 2 else { throw LabelNoiseError.tooFewClasses(classCount) }
        if let bad = cleanLabels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw LabelNoiseError.labelOutOfRange(index: bad, label: cleanLabels[bad], classCount: classCount)
        }
        let count = Int((ratio * Double(cleanLabels.count)).rounded(.toNearestOrAwayFromZero))
        let chosen = generator.choose(count, from: cleanLabels.count).sorted()
        var noisy = cleanLabels
        var changed: [Int] = []
        changed.reserveCapacity(chosen.count)
        for index in chosen {
            switch model {
            case .exclusive:
                // Uniform over the other classes: draw from classCount − 1 values and skip the true one.
                let draw = generator.nextInt(below: classCount - 1)
                noisy[index] = draw >= cleanLabels[index] ? draw + 1 : draw
            case .uniform:
                noisy[index] = generator.nextInt(below: classCount)
            }
            if noisy[index] != cleanLabels[index] { changed.append(index) }
        }
        labels = noisy
        corruptedIndices = changed
    }
}

/// Why label noise could not be injected.
public enum LabelNoiseError: Error, Equatable, CustomStringConvertible {
    case ratioOutOfRange(Double)
    case tooFewClasses(Int)
    case labelOutOfRange(index: Int, label: Int, classCount: Int)

    public var description: String {
        switch self {
        case .ratioOutOfRange(let r): "noise ratio \(r) is outside [0, 1]"
        case .tooFewClasses(let c): "symmetric label noise needs at least 2 classes, got \(c)"
        case .labelOutOfRange(let i, let l, let c): "label \(l) at index \(i) is outside 0..<\(c)"
        }
    }
}
