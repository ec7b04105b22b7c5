/// Symmetric label noise, as the study injects it into the pre-training labels.
///
/// Exactly `round(ratio · N)` samples, chosen uniformly without replacement by the generator, get a
/// label drawn uniformly from the *other* `classCount − 1` classes, so the realised noise ratio is
/// the requested one up to rounding, and no chosen sample keeps its true label.
public struct SymmetricLabelNoise: Sendable, Equatable {
    /// The labels after noise injection.
    public let labels: [Int]
    /// Indices of the samples whose label was replaced, in ascending order.
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
    public init(cleanLabels: [Int], classCount: Int, ratio: Double, generator: inout RandomStream) throws {
        guard ratio.isFinite, ratio >= 0, ratio <= 1 else { throw LabelNoiseError.ratioOutOfRange(ratio) }
        guard classCount >= 2 else { throw LabelNoiseError.tooFewClasses(classCount) }
        if let bad = cleanLabels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw LabelNoiseError.labelOutOfRange(index: bad, label: cleanLabels[bad], classCount: classCount)
        }
        let count = Int((ratio * Double(cleanLabels.count)).rounded(.toNearestOrAwayFromZero))
        let chosen = generator.choose(count, from: cleanLabels.count).sorted()
        var noisy = cleanLabels
        for index in chosen {
            // Uniform over the other classes: draw from classCount − 1 values and skip the true one.
            let draw = generator.nextInt(below: classCount - 1)
            noisy[index] = draw >= cleanLabels[index] ? draw + 1 : draw
        }
        labels = noisy
        corruptedIndices = chosen
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
