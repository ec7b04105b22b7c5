import Foundation
import NoisyCore
import Testing

/// NMTune's loss against an independent Double implementation (its own Jacobi eigen-solver for the
/// singular values), and its gradient w.r.t. Z against central differences of that Double loss.
///
/// Tolerances: the Float terms must match the Double reference to 1e-5 relative (Float rounding of
/// sums over ≤ 64 entries, and the Float SVD's `~1e-6·σ₁`). The finite differences run in Double
/// with h = 1e-5 (truncation `~1e-10`, rounding `~1e-11`), so the error budget is the Float
/// analytic gradient's: a coordinate passes when `|num − ana| ≤ 1e-3·|num| + 1e-4·max|num|`.
/// The matrices are Gaussian, so their singular values are distinct (checked: gaps > 1e-2).
@Suite struct NMTuneLossTests {
    static let b = 7, d = 5, c = 3

    static func fixedZ() -> Matrix { TestData.normal(rows: b, cols: d, seed: 0x5A) }
    static func fixedF() -> Matrix { TestData.normal(rows: b, cols: d, seed: 0xF0) }
    static let labels = [0, 2, 1, 1, 0, 2, 2]

    @Test func termsMatchIndependentDoubleComputation() throws {
        let z = Self.fixedZ(), f = Self.fixedF()
        let weights = NMTuneLoss.Weights(consistency: 1, singular: 0.001, covariance: 0.04, topK: 2)
        let result = try NMTuneLoss.evaluate(z: z, normalizedFeatures: Kernels.l2NormalizeRows(f), weights: weights)
        let reference = NMTuneReference.terms(z: NMTuneReference.rows(z), f: NMTuneReference.rows(f), topK: 2)
        #expect(abs(result.consistency - reference.consistency) <= 1e-5 * reference.consistency)
        #expect(abs(result.singular - reference.singular) <= 1e-5 * reference.singular)
        #expect(abs(result.covariance - reference.covariance) <= 1e-5 * reference.covariance)
        let value = reference.consistency - 0.001 * reference.singular + 0.04 * reference.covariance
        #expect(abs(result.value - value) <= 1e-5 * abs(value))
        // The singular term is a mean of ratios in (0, 1): 2 of 5 values give more than 1/5 each.
        #expect(reference.singular > 0.2 && reference.singular < 1)
    }

    @Test func jacobiReferenceAgreesWithSVD() throws {
        // Cross-check of the test's own eigen-solver against the library SVD (Float, ~1e-6·σ₁).
        let z = Self.fixedZ()
        let sigma = NMTuneReference.singularValues(NMTuneReference.rows(z))
        let library = try svd(z).singularValues
        #expect(sigma.count == library.count)
        for (a, b) in zip(sigma, library) { #expect(abs(a - Double(b)) <= 1e-5 * sigma[0]) }
    }

    @Test func topKBeyondRankUsesAllValues() throws {
        // K = min(9, min(7, 5)) = 5: the mean of all five ratios is exactly 1/5, and its gradient is 0.
        let z = Self.fixedZ()
        let weights = NMTuneLoss.Weights(consistency: 0, singular: 1, covariance: 0, topK: 9)
        let result = try NMTuneLoss.evaluate(z: z, normalizedFeatures: Kernels.l2NormalizeRows(Self.fixedF()), weights: weights)
        #expect(abs(result.singular - 0.2) <= 1e-6)
        let largest = result.gradient.elements.map { abs($0) }.max()!
        #expect(largest <= 1e-6)
    }

    @Test func covarianceGradientColumnsSumToZero() throws {
        // The centring backward is the identity because Z̄·G has zero column sums.
        let weights = NMTuneLoss.Weights(consistency: 0, singular: 0, covariance: 1, topK: 1)
        let result = try NMTuneLoss.evaluate(z: Self.fixedZ(), normalizedFeatures: Kernels.l2NormalizeRows(Self.fixedF()), weights: weights)
        let sums = Kernels.columnSums(result.gradient).elements
        let scale = result.gradient.elements.map { abs($0) }.max()!
        #expect(scale > 0)
        for s in sums { #expect(abs(s) <= 1e-5 * scale) }
    }

    /// Each term alone (head weights zero, so CE is constant), then the whole loss.
    @Test(arguments: [
        ("consistency", 1.0, 0.0, 0.0, 0.0),
        ("singular", 0.0, 1.0, 0.0, 0.0),
        ("covariance", 0.0, 0.0, 1.0, 0.0),
        ("cross-entropy", 0.0, 0.0, 0.0, 1.0),
        ("whole loss (recipe weights)", 1.0, 0.001, 0.04, 1.0),
        ("whole loss (large weights)", 1.0, 0.5, 0.5, 1.0),
    ])
    func gradientWithRespectToZMatchesFiniteDifferences(
        _ name: String, _ consistency: Double, _ singular: Double, _ covariance: Double, _ headScale: Double
    ) throws {
        let z = Self.fixedZ(), f = Self.fixedF()
        let sigma = NMTuneReference.singularValues(NMTuneReference.rows(z))
        for k in 1..<sigma.count { try #require(sigma[k - 1] - sigma[k] > 1e-2, "singular values must be distinct") }
        var headWeight = TestData.normal(rows: Self.c, cols: Self.d, seed: 0x4EAD)
        Kernels.scale(&headWeight, by: Float(headScale))
        let head = Linear(weight: headWeight, bias: Matrix(rows: 1, cols: Self.c), name: "head")
        let weights = NMTuneLoss.Weights(consistency: Float(consistency), singular: Float(singular), covariance: Float(covariance), topK: 2)

        // Analytic, in Float, through the library.
        let ce = Loss.softmaxCrossEntropy(logits: head.forward(z, training: true), labels: Self.labels)
        var analytic = head.backward(ce.gradient)
        let regularizer = try NMTuneLoss.evaluate(z: z, normalizedFeatures: Kernels.l2NormalizeRows(f), weights: weights)
        Kernels.axpy(1, regularizer.gradient, &analytic)

        // Numeric, in Double, through the reference.
        let w = NMTuneReference.rows(headWeight), fRows = NMTuneReference.rows(f)
        func loss(_ zRows: [[Double]]) -> Double {
            let t = NMTuneReference.terms(z: zRows, f: fRows, topK: 2)
            return NMTuneReference.crossEntropy(z: zRows, weight: w, labels: Self.labels)
                + consistency * t.consistency - singular * t.singular + covariance * t.covariance
        }
        let h = 1e-5
        var numeric = [Double](repeating: 0, count: Self.b * Self.d)
        var zRows = NMTuneReference.rows(z)
        for i in 0..<Self.b {
            for j in 0..<Self.d {
                let original = zRows[i][j]
                zRows[i][j] = original + h
                let up = loss(zRows)
                zRows[i][j] = original - h
                let down = loss(zRows)
                zRows[i][j] = original
                numeric[i * Self.d + j] = (up - down) / (2 * h)
            }
        }
        let largest = numeric.map(abs).max()!
        #expect(largest > 1e-4, "\(name): the gradient is (nearly) zero, the check would be vacuous")
        let values = analytic.elements
        var mismatches: [String] = []
        for i in numeric.indices where abs(numeric[i] - Double(values[i])) > 1e-3 * abs(numeric[i]) + 1e-4 * largest {
            mismatches.append("[\(i)] analytic \(values[i]) numeric \(numeric[i])")
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.prefix(5))")
    }

    @Test func aWrongSingularGradientIsCaught() throws {
        // Negative control: dropping the −σ_k/S² part of ∂(σ_k/S)/∂Z must fail the same comparison.
        let z = Self.fixedZ()
        let decomposition = try svd(z, computeVectors: true)
        let sigma = decomposition.singularValues.map(Double.init)
        let total = sigma.reduce(0, +)
        var wrong = Matrix(rows: Self.b, cols: Self.d)
        for k in 0..<2 {
            for i in 0..<Self.b {
                for j in 0..<Self.d {
                    wrong[i, j] += Float(1 / total / 2) * decomposition.u![i, k] * decomposition.vt![k, j]
                }
            }
        }
        let weights = NMTuneLoss.Weights(consistency: 0, singular: -1, covariance: 0, topK: 2)  // +mean term
        let right = try NMTuneLoss.evaluate(z: z, normalizedFeatures: Kernels.l2NormalizeRows(Self.fixedF()), weights: weights).gradient
        let difference = zip(right.elements, wrong.elements).map { abs($0 - $1) }.max()!
        let scale = right.elements.map { abs($0) }.max()!
        #expect(difference > 1e-2 * scale)
    }
}

/// The NMTune loss in Double, written independently of the library (plain arrays, Jacobi eigenvalues).
enum NMTuneReference {
    static func rows(_ m: Matrix) -> [[Double]] {
        (0..<m.rows).map { r in (0..<m.cols).map { c in Double(m[r, c]) } }
    }

    static func normalize(_ x: [[Double]]) -> [[Double]] {
        x.map { row in
            let norm = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return row.map { $0 / norm }
        }
    }

    /// Singular values (descending) as square roots of the eigenvalues of the smaller Gram matrix.
    static func singularValues(_ x: [[Double]]) -> [Double] {
        let m = x.count, n = x[0].count
        let tall = m >= n, size = min(m, n)
        var gram = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        for i in 0..<size {
            for j in 0..<size {
                var s = 0.0
                if tall { for r in 0..<m { s += x[r][i] * x[r][j] } } else { for c in 0..<n { s += x[i][c] * x[j][c] } }
                gram[i][j] = s
            }
        }
        return jacobiEigenvalues(gram).map { max($0, 0).squareRoot() }.sorted(by: >)
    }

    /// Cyclic Jacobi eigenvalue iteration for a symmetric matrix.
    static func jacobiEigenvalues(_ input: [[Double]]) -> [Double] {
        var a = input
        let n = a.count
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p][q] * a[p][q] } }
            if off < 1e-28 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k][p], akq = a[k][q]
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p][k], aqk = a[q][k]
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<n).map { a[$0][$0] }
    }

    static func terms(z: [[Double]], f: [[Double]], topK: Int) -> (consistency: Double, singular: Double, covariance: Double) {
        let b = z.count, d = z[0].count
        let nz = normalize(z), nf = normalize(f)
        var consistency = 0.0
        for i in 0..<b { for j in 0..<d { consistency += (nz[i][j] - nf[i][j]) * (nz[i][j] - nf[i][j]) } }
        consistency /= Double(b * d)

        let sigma = singularValues(z)
        let k = min(topK, sigma.count)
        let singular = sigma.prefix(k).reduce(0, +) / sigma.reduce(0, +) / Double(k)

        var means = [Double](repeating: 0, count: d)
        for row in z { for j in 0..<d { means[j] += row[j] / Double(b) } }
        var covariance = 0.0
        for i in 0..<d {
            for j in 0..<d where i != j {
                var cij = 0.0
                for r in 0..<b { cij += (z[r][i] - means[i]) * (z[r][j] - means[j]) }
                cij /= Double(b - 1)
                covariance += cij * cij
            }
        }
        covariance /= Double(d)
        return (consistency, singular, covariance)
    }

    /// Mean softmax cross-entropy of `z·Wᵀ` (zero bias).
    static func crossEntropy(z: [[Double]], weight: [[Double]], labels: [Int]) -> Double {
        var total = 0.0
        for (row, label) in zip(z, labels) {
            let logits = weight.map { w in zip(w, row).reduce(0) { $0 + $1.0 * $1.1 } }
            let top = logits.max()!
            let lse = top + log(logits.reduce(0) { $0 + exp($1 - top) })
            total += lse - logits[label]
        }
        return total / Double(z.count)
    }
}
