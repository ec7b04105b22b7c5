import Foundation
import NoisyCore
import Testing

/// Tests of `svd` against an independent Double reference (one-sided Jacobi) on matrices with a
/// known spectrum `A = U₀·diag(σ)·V₀ᵀ`, `U₀`, `V₀` orthonormalised seeded normal matrices.
///
/// Tolerances (relative to the Double reference computed from the very Float matrix handed to svd):
/// - singular values: `|σᵢ − σᵢ,ref| ≤ 1e-4·σᵢ,ref` when `σᵢ,ref ≥ 1e-3·σ₁`, else `≤ 1e-4·σ₁`
///   (a Float SVD is accurate relative to σ₁, so tiny σ are held to an absolute bound);
/// - reconstruction `‖A − U·Σ·Vᵀ‖_F / ‖A‖_F ≤ 1e-4`;
/// - orthonormality `max|UᵀU − I|`, `max|VᵀV − I| ≤ 1e-4`.
///
/// The accuracy tests run under both arithmetics (``SVDArithmetic/version1``, and
/// ``SVDArithmetic/version2``: square matrices without the QR stage, deflation at 1e-8).
@Suite struct SVDTests {
    // MARK: Known spectra, tall and wide

    @Test(arguments: [(64, 128), (128, 64), (1000, 256), (256, 1000), (200, 200), (64, 64), (37, 5), (5, 37), (17, 16)],
          [1, 2])
    func fourDecadeSpectrumMatchesReference(shape: (rows: Int, cols: Int), version: Int) throws {
        let (rows, cols) = shape
        let arithmetic = try NMTuneArithmetic.svdArithmetic(version: version)
        let r = min(rows, cols)
        // Geometric σ from 10 down to 1e-3 (4 decades).
        let sigma = (0..<r).map { 10 * pow10(-4 * Double($0) / Double(max(r - 1, 1))) }
        let a = knownSpectrum(rows: rows, cols: cols, sigma: sigma, seed: UInt64(rows * 7919 + cols))
        let reference = jacobiSingularValues(a)
        // The reference itself must agree with the designed spectrum (rounding A to Float moves σ by ~1e-7·σ₁).
        expectValues(reference.map(Float.init), reference: sigma, label: "Jacobi reference vs designed σ")
        let result = try svd(a, computeVectors: true, arithmetic: arithmetic)
        expectValues(result.singularValues, reference: reference, label: "\(rows)×\(cols) arithmetic \(version)")
        try expectFactorisation(a, result)
        #expect(try svd(a, arithmetic: arithmetic).singularValues == result.singularValues)
    }

    /// Arithmetic 2 against arithmetic 1 on the shape NMTune decomposes in the benchmark (64 × 64,
    /// which arithmetic 2 bidiagonalises without the QR stage): both as accurate, σ within
    /// 1e-6·σ₁ of each other, and not the same bits (else the version would be pointless).
    @Test func arithmeticTwoIsAsAccurateAsOneButNotTheSameBits() throws {
        var rng = RandomStream(seed: 2024)
        var differing = 0
        for trial in 0..<12 {
            let a = Matrix(rows: 64, cols: 64) { _, _ in rng.normal() }
            let one = try svd(a, computeVectors: true, arithmetic: .version1)
            let two = try svd(a, computeVectors: true, arithmetic: .version2)
            try expectFactorisation(a, two, bound: 5e-6)
            let s1 = Double(one.singularValues[0])
            for (x, y) in zip(one.singularValues, two.singularValues) {
                #expect(abs(Double(x) - Double(y)) <= 1e-6 * s1, "trial \(trial): σ \(x) vs \(y)")
            }
            if one.singularValues != two.singularValues || one.u?.elements != two.u?.elements { differing += 1 }
        }
        #expect(differing == 12, "arithmetic 2 gave arithmetic 1's bits on \(12 - differing) of 12 matrices")
    }

    @Test func valuesOnlyAgreesBitwiseWithTheVectorsRun() throws {
        let a = knownSpectrum(rows: 300, cols: 90, sigma: (0..<90).map { 1 + Double($0) }, seed: 3)
        let values = try svd(a).singularValues
        let full = try svd(a, computeVectors: true)
        #expect(values == full.singularValues)
        #expect(try svd(a).singularValues == values, "two runs must agree bitwise")
    }

    @Test func rankDeficientMatrixHasTinyTrailingValues() throws {
        let rows = 300, cols = 120, rank = 60
        let sigma = (0..<cols).map { $0 < rank ? 5 - 4 * Double($0) / Double(rank) : 0 }
        let a = knownSpectrum(rows: rows, cols: cols, sigma: sigma, seed: 11)
        let result = try svd(a, computeVectors: true)
        let s = result.singularValues
        let reference = jacobiSingularValues(a)
        expectValues(s, reference: reference, label: "rank-deficient")
        for i in rank..<cols { #expect(s[i] <= 1e-5 * s[0], "σ[\(i)] = \(s[i]) should vanish against σ₁ = \(s[0])") }
        try expectFactorisation(a, result)
        // Wide too.
        let wide = try svd(a.transposed, computeVectors: true)
        expectValues(wide.singularValues, reference: reference, label: "rank-deficient wide")
        try expectFactorisation(a.transposed, wide)
    }

    @Test func exactZeroColumnsAndRepeatedValues() throws {
        // Zero columns put exact zeros on the bidiagonal's diagonal (the zero-shift chase paths).
        var rng = RandomStream(seed: 31)
        let a = Matrix(rows: 40, cols: 24) { _, j in j % 3 == 1 ? 0 : rng.normal() }
        let result = try svd(a, computeVectors: true)
        expectValues(result.singularValues, reference: jacobiSingularValues(a), label: "zero columns")
        for i in 16..<24 { #expect(result.singularValues[i] <= 1e-6 * result.singularValues[0]) }
        try expectFactorisation(a, result)
        let wide = try svd(a.transposed, computeVectors: true)
        try expectFactorisation(a.transposed, wide)
        // An orthogonal matrix: all σ = 1, a fully repeated spectrum.
        let q = knownSpectrum(rows: 50, cols: 50, sigma: [Double](repeating: 1, count: 50), seed: 37)
        for arithmetic in [SVDArithmetic.version1, .version2] {
            let orthogonal = try svd(q, computeVectors: true, arithmetic: arithmetic)
            expectValues(orthogonal.singularValues, reference: [Double](repeating: 1, count: 50), label: "orthogonal \(arithmetic)")
            try expectFactorisation(q, orthogonal)
        }
        // Square with exact zero columns, without the QR stage.
        let square = Matrix(rows: 24, cols: 24) { _, j in j % 3 == 1 ? 0 : rng.normal() }
        let direct = try svd(square, computeVectors: true, arithmetic: .version2)
        expectValues(direct.singularValues, reference: jacobiSingularValues(square), label: "square zero columns")
        try expectFactorisation(square, direct)
    }

    @Test func bidiagonalInputWithZerosOnTheDiagonal() throws {
        // An upper bidiagonal input passes QR and bidiagonalisation unchanged (every reflector is
        // the identity), so its exact zeros reach the QR iteration: d[5] = 0 and d[12] = 0 need the
        // row chase, d[29] = 0 the column chase.
        var rng = RandomStream(seed: 41)
        let n = 30
        let a = Matrix(rows: n, cols: n) { i, j in
            if i == j { return [5, 12, 29].contains(i) ? 0 : 1 + rng.nextFloat() }
            return j == i + 1 ? rng.normal() : 0
        }
        for arithmetic in [SVDArithmetic.version1, .version2] {
            let result = try svd(a, computeVectors: true, arithmetic: arithmetic)
            expectValues(result.singularValues, reference: jacobiSingularValues(a), label: "bidiagonal with zeros \(arithmetic)")
            try expectFactorisation(a, result)
            #expect(result.singularValues[n - 1] <= 1e-6 * result.singularValues[0])
        }
    }

    @Test func largestSupportedShape() throws {
        let rows = 4096, cols = 512
        let sigma = (0..<cols).map { 100 * pow10(-3 * Double($0) / Double(cols - 1)) }
        let a = knownSpectrum(rows: rows, cols: cols, sigma: sigma, seed: 5)
        let result = try svd(a, computeVectors: true)
        // Reference: the designed σ (Jacobi in Double on 4096×512 would take minutes).
        expectValues(result.singularValues, reference: sigma, label: "4096×512")
        try expectFactorisation(a, result)
        let wide = try svd(a.transposed)
        expectValues(wide.singularValues, reference: sigma, label: "512×4096")
    }

    // MARK: Degenerate shapes

    @Test func zeroMatrixHasZeroValuesAndOrthonormalVectors() throws {
        for (rows, cols) in [(7, 3), (3, 7), (1, 1), (0, 4), (4, 0)] {
            let result = try svd(Matrix(rows: rows, cols: cols), computeVectors: true)
            #expect(result.singularValues == [Float](repeating: 0, count: min(rows, cols)))
            let u = try #require(result.u), vt = try #require(result.vt)
            #expect(u.rows == rows && u.cols == min(rows, cols) && vt.rows == min(rows, cols) && vt.cols == cols)
            #expect(orthonormalityError(u, columns: true) == 0 && orthonormalityError(vt, columns: false) == 0)
        }
    }

    @Test func oneByOneRowAndColumnVectors() throws {
        let one = try svd(Matrix(rows: 1, cols: 1, elements: [-3]), computeVectors: true)
        #expect(one.singularValues == [3])
        #expect(try #require(one.u)[0, 0] * 3 * (try #require(one.vt))[0, 0] == -3)

        var rng = RandomStream(seed: 17)
        for (rows, cols) in [(1, 50), (50, 1), (1, 2), (2, 1)] {
            let a = Matrix(rows: rows, cols: cols) { _, _ in rng.normal() }
            let norm = a.elements.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let result = try svd(a, computeVectors: true)
            #expect(result.singularValues.count == 1)
            #expect(abs(Double(result.singularValues[0]) - norm) <= 1e-6 * norm)
            try expectFactorisation(a, result)
        }
    }

    @Test func extremeScalesAreHandledExactly() throws {
        // Small integers, so that even the subnormal scale 2⁻¹⁴⁰ represents the scaled matrix exactly.
        var rng = RandomStream(seed: 23)
        let base = Matrix(rows: 40, cols: 30) { _, _ in Float(rng.nextInt(below: 511) - 255) }
        let reference = try svd(base).singularValues
        for scale: Float in [1e-30, 1e30, 0x1p-140, 0x1p100] {
            let a = Matrix(rows: base.rows, cols: base.cols) { base[$0, $1] * scale }
            let values = try svd(a).singularValues
            for (x, y) in zip(values, reference) {
                #expect(abs(Double(x) / Double(scale) - Double(y)) <= 1e-5 * Double(y), "scale \(scale)")
            }
        }
    }

    @Test func nonFiniteInputIsRejectedWithItsPosition() {
        var a = Matrix(rows: 4, cols: 3, repeating: 1)
        a[2, 1] = .nan
        do {
            _ = try svd(a)
            Issue.record("svd accepted a NaN")
        } catch {
            #expect(error.code == .nonFiniteInput)
            #expect(error.message.contains("(2, 1)"))
        }
        a[2, 1] = .infinity
        #expect(throws: SVDError.self) { try svd(a.transposed) }
    }

    @Test func smallBatchShapeOfNMTune() throws {
        // 64×128 batch matrix with row-normalised rows: the shape NMTune decomposes every step.
        var rng = RandomStream(seed: 99)
        var a = Matrix(rows: 64, cols: 128) { _, _ in rng.normal() }
        for i in 0..<64 {
            let norm = a.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<128 { a[i, j] /= norm }
        }
        let result = try svd(a, computeVectors: true)
        expectValues(result.singularValues, reference: jacobiSingularValues(a), label: "64×128 normalised")
        try expectFactorisation(a, result)
    }
}

// MARK: - Checks

private func pow10(_ x: Double) -> Double { pow(10, x) }

/// The stated tolerance: relative 1e-4 for σ ≥ 1e-3·σ₁, absolute 1e-4·σ₁ below.
private func expectValues(_ values: [Float], reference: [Double], label: String,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(values.count == reference.count, "\(label): count", sourceLocation: sourceLocation)
    guard let s1 = reference.first, values.count == reference.count else { return }
    var worst = 0.0, worstIndex = 0
    for i in values.indices {
        let ref = reference[i]
        let scale = ref >= 1e-3 * s1 ? ref : s1
        let error = abs(Double(values[i]) - ref) / scale
        if error > worst { worst = error; worstIndex = i }
        #expect(values[i] >= 0, "\(label): σ[\(i)] negative", sourceLocation: sourceLocation)
        if i > 0 { #expect(values[i] <= values[i - 1], "\(label): not descending at \(i)", sourceLocation: sourceLocation) }
    }
    #expect(worst <= 1e-4, "\(label): σ[\(worstIndex)] = \(values[worstIndex]) vs \(reference[worstIndex]), scaled error \(worst)",
            sourceLocation: sourceLocation)
}

/// Reconstruction and orthonormality, both computed in Double.
private func expectFactorisation(_ a: Matrix, _ result: SingularValueDecomposition, bound: Double = 1e-4,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let u = try #require(result.u, sourceLocation: sourceLocation)
    let vt = try #require(result.vt, sourceLocation: sourceLocation)
    let m = a.rows, n = a.cols, r = min(m, n)
    #expect(u.rows == m && u.cols == r && vt.rows == r && vt.cols == n, sourceLocation: sourceLocation)
    let s = result.singularValues.map(Double.init)
    let ue = u.elements.map(Double.init), ve = vt.elements.map(Double.init), ae = a.elements.map(Double.init)
    var residual = 0.0, norm = 0.0
    var row = [Double](repeating: 0, count: n)
    for i in 0..<m {
        for j in 0..<n { row[j] = 0 }
        for k in 0..<r {
            let coefficient = ue[i * r + k] * s[k]
            if coefficient == 0 { continue }
            for j in 0..<n { row[j] += coefficient * ve[k * n + j] }
        }
        for j in 0..<n {
            let difference = ae[i * n + j] - row[j]
            residual += difference * difference
            norm += ae[i * n + j] * ae[i * n + j]
        }
    }
    let relative = norm == 0 ? residual.squareRoot() : (residual / norm).squareRoot()
    #expect(relative <= bound, "‖A − UΣVᵀ‖/‖A‖ = \(relative)", sourceLocation: sourceLocation)
    let uError = orthonormalityError(u, columns: true), vError = orthonormalityError(vt, columns: false)
    #expect(uError <= bound, "max|UᵀU − I| = \(uError)", sourceLocation: sourceLocation)
    #expect(vError <= bound, "max|VᵀV − I| = \(vError)", sourceLocation: sourceLocation)
}

/// `max|XᵀX − I|` over the columns (or `max|XXᵀ − I|` over the rows) of `x`, in Double.
private func orthonormalityError(_ x: Matrix, columns: Bool) -> Double {
    let vectors = columns ? x.transposed : x
    let k = vectors.rows, len = vectors.cols
    let e = vectors.elements.map(Double.init)
    var worst = 0.0
    for i in 0..<k {
        for j in i..<k {
            var dot = 0.0
            for l in 0..<len { dot += e[i * len + l] * e[j * len + l] }
            worst = max(worst, abs(dot - (i == j ? 1 : 0)))
        }
    }
    return worst
}

// MARK: - Test matrices and the Double reference

/// `U₀·diag(σ)·V₀ᵀ` rounded to Float, with U₀ (m×r) and V₀ (n×r) orthonormalised seeded normals.
private func knownSpectrum(rows m: Int, cols n: Int, sigma: [Double], seed: UInt64) -> Matrix {
    let r = min(m, n)
    precondition(sigma.count == r)
    var rng = RandomStream(seed: seed)
    let u0 = orthonormalColumns(rows: m, count: r, rng: &rng)
    let v0 = orthonormalColumns(rows: n, count: r, rng: &rng)
    var elements = [Double](repeating: 0, count: m * n)
    for k in 0..<r where sigma[k] != 0 {
        let uk = k * m, vk = k * n
        for i in 0..<m {
            let coefficient = u0[uk + i] * sigma[k]
            for j in 0..<n { elements[i * n + j] += coefficient * v0[vk + j] }
        }
    }
    return Matrix(rows: m, cols: n, elements: elements.map { Float($0) })
}

/// `count` orthonormal vectors of length `rows` (column-major: vector k at `k·rows`), by modified
/// Gram–Schmidt applied twice to seeded normal vectors (Double).
private func orthonormalColumns(rows: Int, count: Int, rng: inout RandomStream) -> [Double] {
    var q = (0..<(rows * count)).map { _ in rng.normalDouble() }
    q.withUnsafeMutableBufferPointer { buffer in
        let p = buffer.baseAddress!
        for k in 0..<count {
            let qk = p + k * rows
            for _ in 0..<2 {
                for i in 0..<k {
                    let qi = p + i * rows
                    var dot = 0.0
                    for l in 0..<rows { dot += qi[l] * qk[l] }
                    for l in 0..<rows { qk[l] -= dot * qi[l] }
                }
            }
            var norm = 0.0
            for l in 0..<rows { norm += qk[l] * qk[l] }
            norm = norm.squareRoot()
            for l in 0..<rows { qk[l] /= norm }
        }
    }
    return q
}

/// Singular values of the Float matrix `a`, descending, by one-sided (Hestenes) Jacobi in Double on
/// the columns of `a` (or of `aᵀ` when `a` is wide): rotate column pairs until every pair is
/// orthogonal to 1e-15 relative; σ are then the column norms.
private func jacobiSingularValues(_ a: Matrix) -> [Double] {
    let b = a.rows >= a.cols ? a : a.transposed
    let m = b.rows, n = b.cols
    let bt = b.transposed.elements   // column j of b at j·m
    var columns = bt.map(Double.init)
    columns.withUnsafeMutableBufferPointer { buffer in
        let p = buffer.baseAddress!
        for _ in 0..<60 {
            var rotated = false
            for i in 0..<n {
                for j in (i + 1)..<max(n, i + 1) {
                    let x = p + i * m, y = p + j * m
                    var alpha = 0.0, beta = 0.0, gamma = 0.0
                    for l in 0..<m {
                        alpha += x[l] * x[l]
                        beta += y[l] * y[l]
                        gamma += x[l] * y[l]
                    }
                    if gamma == 0 || abs(gamma) <= 1e-15 * (alpha * beta).squareRoot() { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = c * t
                    for l in 0..<m {
                        let xl = x[l], yl = y[l]
                        x[l] = c * xl - s * yl
                        y[l] = s * xl + c * yl
                    }
                }
            }
            if !rotated { break }
        }
    }
    var values = (0..<n).map { j in
        var sum = 0.0
        for l in 0..<m { sum += columns[j * m + l] * columns[j * m + l] }
        return sum.squareRoot()
    }
    values.sort(by: >)
    return values
}
