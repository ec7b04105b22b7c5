/// The thin singular value decomposition `A = U·diag(σ)·Vᵀ` of an m×n matrix, `r = min(m, n)`.
public struct SingularValueDecomposition: Sendable {
    /// The r singular values, descending, all ≥ 0.
    public let singularValues: [Float]
    /// The left singular vectors as the columns of an m×r matrix (orthonormal columns), or `nil`
    /// when vectors were not requested.
    public let u: Matrix?
    /// The right singular vectors as the rows of an r×n matrix (orthonormal rows), or `nil`.
    public let vt: Matrix?

    public init(singularValues: [Float], u: Matrix?, vt: Matrix?) {
        self.singularValues = singularValues
        self.u = u
        self.vt = vt
    }
}

/// Why an SVD failed.
public struct SVDError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The input holds a NaN or an infinity.
        case nonFiniteInput
        /// The bidiagonal QR iteration did not converge (never observed on finite input).
        case noConvergence
    }

    public let code: Code
    /// A sentence naming what is wrong and where.
    public let message: String
    public let file: String
    public let line: Int

    public var description: String { "SVDError.\(code): \(message) (\(file):\(line))" }

    static func nonFiniteInput(row: Int, col: Int, value: Float, rows: Int, cols: Int,
                               file: String = #fileID, line: Int = #line) -> SVDError {
        SVDError(code: .nonFiniteInput,
                 message: "svd: element (\(row), \(col)) of the \(rows)×\(cols) input is \(value); the SVD needs finite values",
                 file: file, line: line)
    }

    static func noConvergence(size: Int, sweeps: Int, file: String = #fileID, line: Int = #line) -> SVDError {
        SVDError(code: .noConvergence,
                 message: "svd: the implicit QR iteration on the \(size)×\(size) bidiagonal did not converge within \(sweeps) sweeps",
                 file: file, line: line)
    }
}

/// How an SVD rounds. Every arithmetic is normwise backward stable in Float (σ within
/// ~1e-7·σ₁ of the exact values, U and V orthonormal to ~1e-6), but two arithmetics do not give the
/// same bits, so a stored result that depends on an SVD names the arithmetic it used (NMTune's
/// arithmetic version, ``TuningHyperparameters/nmtuneArithmetic``).
public struct SVDArithmetic: Sendable, Hashable {
    /// Bidiagonalise a square matrix directly, without the Householder QR stage before it. The QR
    /// stage pays off only for tall matrices (LAPACK's `sgesvd` skips it below M = 1.6·N); for a
    /// square one it is pure overhead: the QR, then `Q` applied to the left vectors.
    public var squareWithoutQR: Bool
    /// Relative size below which the bidiagonal QR iteration sets an off-diagonal entry to zero.
    public var deflationTolerance: Double

    public init(squareWithoutQR: Bool, deflationTolerance: Double) {
        self.squareWithoutQR = squareWithoutQR
        self.deflationTolerance = deflationTolerance
    }

    /// The first arithmetic: the QR stage for every shape, deflation at 1e-11. The feature spectra
    /// (SVE, LSVR) and NMTune arithmetic 1 use it.
    public static let version1 = SVDArithmetic(squareWithoutQR: false, deflationTolerance: 1e-11)
    /// Square matrices without the QR stage, deflation at 1e-8 (still below the ~6e-8 relative
    /// error the Float stages leave): NMTune arithmetic 2.
    public static let version2 = SVDArithmetic(squareWithoutQR: true, deflationTolerance: 1e-8)
}

/// The thin SVD of `a`; see `svd(_: MatrixView, computeVectors:arithmetic:)`.
public func svd(_ a: Matrix, computeVectors: Bool = false,
                arithmetic: SVDArithmetic = .version1) throws(SVDError) -> SingularValueDecomposition {
    // `withView` rethrows untyped errors; carry the typed one out through a Result.
    try a.withView { view in
        Result { () throws(SVDError) in try svd(view, computeVectors: computeVectors, arithmetic: arithmetic) }
    }.get()
}

/// The singular values of `a`, descending (values-only `svd(_: MatrixView, computeVectors:)`).
public func singularValues(of a: MatrixView) throws(SVDError) -> [Float] {
    try svd(a, computeVectors: false).singularValues
}

/// The thin SVD of the m×n view `a`: σ descending, `u` m×r, `vt` r×n, `r = min(m, n)`.
///
/// Method (single-threaded, Float with Double where it is cheap):
/// 1. scale by a power of two so `max|a| ∈ [1, 2)` (exact; rules out overflow), and lay the
///    matrix out column-major as the tall M×N matrix `B` (`B = A` if m ≥ n, else `B = Aᵀ`);
/// 2. blocked Householder QR `B = Q·R` (``SVDHouseholderQR``), unless `B` is square and
///    `arithmetic` skips it (then `Q = I`, `R = B`);
/// 3. Golub–Kahan bidiagonalisation `R = Q_L·D·Pᵀ` (``SVDBidiagonalization``);
/// 4. implicit-shift QR on the bidiagonal in Double, rotations accumulated into `Q_L`, `P`
///    (``SVDBidiagonalQR``);
/// 5. with vectors, `U_B = Q·[Q_L·U_D; 0]`, and `U`, `V` swapped back for a wide `A`.
///
/// Cost for M×N: `2MN² + 8N³/3` flops for values; about twice that plus the rotations with
/// vectors. Accuracy: normwise backward stable in Float, so `|σᵢ − σᵢ,exact| ≲ p(N)·1.2e-7·σ₁`
/// (small singular values are accurate relative to σ₁, not to themselves); U and V are orthonormal
/// to ~1e-6. Any shape, including empty (r = 0), 1×1, 1×n, n×1, and the zero matrix (σ = 0,
/// U and V the leading columns / rows of the identity).
///
/// - Throws: ``SVDError`` with `.nonFiniteInput` naming the first NaN / infinity.
public func svd(_ a: MatrixView, computeVectors: Bool = false,
                arithmetic: SVDArithmetic = .version1) throws(SVDError) -> SingularValueDecomposition {
    let m = a.rows, n = a.cols, r = min(m, n)
    var maxAbs: Float = 0
    for i in 0..<m {
        let row = a.base + i * a.stride
        for j in 0..<n {
            let value = row[j]
            if !value.isFinite { throw SVDError.nonFiniteInput(row: i, col: j, value: value, rows: m, cols: n) }
            maxAbs = max(maxAbs, abs(value))
        }
    }
    if r == 0 || maxAbs == 0 {
        return SingularValueDecomposition(
            singularValues: [Float](repeating: 0, count: r),
            u: computeVectors ? Matrix(rows: m, cols: r) { i, j in i == j ? 1 : 0 } : nil,
            vt: computeVectors ? Matrix(rows: r, cols: n) { i, j in i == j ? 1 : 0 } : nil)
    }
    return try SVDDriver(a, maxAbs: maxAbs, computeVectors: computeVectors, arithmetic: arithmetic).run()
}

/// The stages of `svd(_: MatrixView, computeVectors:)` on one workspace.
private struct SVDDriver {
    let a: MatrixView
    let computeVectors: Bool
    let arithmetic: SVDArithmetic
    /// `B` is square and bidiagonalised without the QR stage.
    let direct: Bool
    /// `A` is wide (m < n): the driver decomposes `B = Aᵀ` and swaps `U` and `V` at the end.
    let wide: Bool
    /// Rows and columns of `B` (M ≥ N).
    let bigM: Int, bigN: Int
    /// Padded leading dimensions of `B` (M) and of the N×N stages.
    let ld: Int, ldr: Int
    /// `A` is scaled by `2^-exponent` and σ by `2^exponent`.
    let exponent: Int

    init(_ a: MatrixView, maxAbs: Float, computeVectors: Bool, arithmetic: SVDArithmetic) {
        self.a = a
        self.computeVectors = computeVectors
        self.arithmetic = arithmetic
        direct = arithmetic.squareWithoutQR && a.rows == a.cols
        wide = a.rows < a.cols
        bigM = max(a.rows, a.cols)
        bigN = min(a.rows, a.cols)
        ld = svdPad(bigM)
        ldr = svdPad(bigN)
        exponent = Int(maxAbs.exponent)
    }

    func run() throws(SVDError) -> SingularValueDecomposition {
        let qrScratch = SVDHouseholderQR.scratchCount(n: bigN, ld: ld)
        // One aligned block for every Float buffer; sizes are multiples of 16 floats.
        let sizes = [
            bigN * ld,                           // b: the working matrix B, then QR factors
            svdPad(qrScratch.tau), qrScratch.tBlocks, qrScratch.panel,
            bigN * ldr,                          // R, destroyed by the bidiagonalisation
            bigN * ldr, bigN * ldr,              // left / right reflectors
            svdPad(bigN), svdPad(bigN), ldr,     // their taus, scratch
            computeVectors ? bigN * ldr : 0,     // Q_L, then Q_L·U_D (rows = vectors)
            computeVectors ? bigN * ldr : 0,     // P, then P·V_D
            computeVectors ? bigN * ld : 0,      // U_B column-major
            svdPad(8 * bigN),                    // recorded rotations of two sweeps
        ]
        let total = sizes.reduce(0, +)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * 4 + 64, alignment: 64)
        defer { raw.deallocate() }
        let floats = raw.bindMemory(to: Float.self, capacity: total)
        var buffers: [UnsafeMutablePointer<Float>] = []
        var offset = 0
        for size in sizes {
            buffers.append(floats + offset)
            offset += size
        }
        // R is B itself when B is square and skips the QR stage (Q = I; ld == ldr).
        let b = buffers[0], r = direct ? buffers[0] : buffers[4]
        let doubles = UnsafeMutablePointer<Double>.allocate(capacity: 2 * bigN)
        defer { doubles.deallocate() }
        let d = doubles, e = doubles + bigN

        loadB(b)
        let qr = SVDHouseholderQR(b: b, ld: ld, m: bigM, n: bigN, tau: buffers[1], tBlocks: buffers[2], panel: buffers[3])
        if !direct {
            qr.factor()
            r.update(repeating: 0, count: bigN * ldr)
            for j in 0..<bigN { (r + j * ldr).update(from: b + j * ld, count: j + 1) }
        }
        let bidiagonal = SVDBidiagonalization(
            n: bigN, ld: ldr, left: buffers[5], leftTau: buffers[7], right: buffers[6], rightTau: buffers[8], work: buffers[9])
        bidiagonal.reduce(r, d: d, e: e)

        let ql = buffers[10], pr = buffers[11], ub = buffers[12]
        if computeVectors {
            bidiagonal.formLeft(ql)
            bidiagonal.formRight(pr)
        }
        try SVDBidiagonalQR(
            n: bigN, d: d, e: e, left: computeVectors ? ql : nil, right: computeVectors ? pr : nil,
            ld: ldr, width: ldr, rotations: buffers[13], tolerance: arithmetic.deflationTolerance
        ).run()

        // σ = |d|, descending; a negative d flips its right vector. Ties keep index order.
        let order = (0..<bigN).sorted { i, j in
            let x = abs(d[i]), y = abs(d[j])
            return x > y || (x == y && i < j)
        }
        let unscale = Double(sign: .plus, exponent: exponent, significand: 1)
        let values = order.map { Float(abs(d[$0]) * unscale) }
        guard computeVectors else { return SingularValueDecomposition(singularValues: values, u: nil, vt: nil) }
        for i in 0..<bigN where d[i] < 0 {
            let row = pr + i * ldr
            for j in 0..<ldr { row[j] = -row[j] }
        }

        // U_B = Q·[Q_L·U_D; 0], column t = the t-th largest.
        ub.update(repeating: 0, count: bigN * ld)
        for (t, i) in order.enumerated() { (ub + t * ld).update(from: ql + i * ldr, count: bigN) }
        if !direct { qr.applyQ(to: ub, ldy: ld, columns: bigN) }

        // U_B: column t at ub + t·ld (length M); V_B: column t = row order[t] of pr (length N).
        var uB = Matrix(rows: bigN, cols: bigM)   // U_Bᵀ, row-major
        var vB = Matrix(rows: bigN, cols: bigN)   // V_Bᵀ, row-major
        uB.withMutableView { view in
            for t in 0..<bigN { (view.base + t * view.stride).update(from: ub + t * ld, count: bigM) }
        }
        vB.withMutableView { view in
            for (t, i) in order.enumerated() { (view.base + t * view.stride).update(from: pr + i * ldr, count: bigN) }
        }
        if wide {
            // A = Bᵀ = V_B·Σ·U_Bᵀ.
            return SingularValueDecomposition(singularValues: values, u: vB.transposed, vt: uB)
        }
        return SingularValueDecomposition(singularValues: values, u: uB.transposed, vt: vB)
    }

    /// Writes `B` column-major into `b` (N columns of `ld` floats, padding zero), scaled by `2^-exponent`.
    private func loadB(_ b: UnsafeMutablePointer<Float>) {
        b.update(repeating: 0, count: bigN * ld)
        let scale = Float(sign: .plus, exponent: -exponent, significand: 1)
        // 2^-exponent is a normal Float unless max|a| is near the Float range limits; go through
        // Double there so the scaling stays exact.
        let exact = scale.isNormal && (1 / scale).isNormal
        let scaleD = Double(sign: .plus, exponent: -exponent, significand: 1)
        if wide {
            // Rows of A are the columns of B = Aᵀ.
            for i in 0..<a.rows {
                let source = a.base + i * a.stride, target = b + i * ld
                if exact { for j in 0..<a.cols { target[j] = source[j] * scale } }
                else { for j in 0..<a.cols { target[j] = Float(Double(source[j]) * scaleD) } }
            }
        } else {
            // Blocked transpose: columns of A become contiguous.
            let block = 32
            for i0 in stride(from: 0, to: a.rows, by: block) {
                for j0 in stride(from: 0, to: a.cols, by: block) {
                    for i in i0..<min(i0 + block, a.rows) {
                        let source = a.base + i * a.stride
                        for j in j0..<min(j0 + block, a.cols) {
                            b[j * ld + i] = exact ? source[j] * scale : Float(Double(source[j]) * scaleD)
                        }
                    }
                }
            }
        }
    }
}
