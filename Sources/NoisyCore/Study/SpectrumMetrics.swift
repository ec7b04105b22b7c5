#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two feature-space measures of docs/science.md, from the singular values of a feature matrix.
///
/// With σ₁ ≥ σ₂ ≥ … the singular values and pᵢ = σᵢ / Σⱼ σⱼ:
/// - Singular Value Entropy `SVE = −Σᵢ pᵢ · ln pᵢ` (terms with pᵢ = 0 contribute 0);
/// - Largest Singular Value Ratio `LSVR = −ln(σ₁ / Σᵢ σᵢ)`.
/// Both in nats. Sums run in `Double`, in descending order of σ, so results are reproducible.
public struct SpectrumMetrics: Sendable, Equatable, Codable {
    public let sve: Double
    public let lsvr: Double

    /// The metrics of the given singular values (any order; negative or non-finite values are an error).
    public init(singularValues: [Float]) throws {
        guard !singularValues.isEmpty else { throw SpectrumMetricsError.empty }
        if let bad = singularValues.first(where: { !$0.isFinite || $0 < 0 }) {
            throw SpectrumMetricsError.invalidSingularValue(bad)
        }
        let sorted = singularValues.map(Double.init).sorted(by: >)
        let total = sorted.reduce(0, +)
        guard total > 0 else { throw SpectrumMetricsError.zeroMatrix }
        var entropy = 0.0
        for sigma in sorted where sigma > 0 {
            let p = sigma / total
            entropy -= p * log(p)
        }
        sve = entropy
        lsvr = -log(sorted[0] / total)
    }
}

/// Why spectrum metrics could not be computed.
public enum SpectrumMetricsError: Error, Equatable, CustomStringConvertible {
    case empty
    case zeroMatrix
    case invalidSingularValue(Float)

    public var description: String {
        switch self {
        case .empty: "no singular values: the feature matrix is empty"
        case .zeroMatrix: "all singular values are zero: the feature matrix is zero after preprocessing"
        case .invalidSingularValue(let v): "singular value \(v) is negative or not finite"
        }
    }
}
