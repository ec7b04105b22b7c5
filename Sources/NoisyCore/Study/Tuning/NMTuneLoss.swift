/// NMTune's three regularisers on a batch of tuned features `Z` (B × D), with their gradient.
///
/// docs/science.md, "The tuning methods": with `F` the frozen features of the batch (detached),
/// ```
/// R(Z) =   λc · mean_{b,d} (normalize(Z) − normalize(F))²          consistency
///        − λs · mean_{k<K} σ_k(Z) / Σ_j σ_j(Z)                       dominant singular values
///        + λv · (1/D) Σ_{i≠j} C(Z)_ij²                               covariance (off-diagonal)
/// ```
/// `normalize` is row-wise L2; σ are the singular values of the *uncentred* Z; `C = Z̄ᵀZ̄/(B−1)`
/// with Z̄ the batch-centred Z; `K = min(topK, min(B, D))`.
///
/// Gradients:
/// - consistency: `2(n_Z − n_F)/(B·D)` through the row-normalisation backward;
/// - singular: with `S = Σ_j σ_j` and `∂σ_k/∂Z = u_k v_kᵀ`,
///   `∂(σ_k/S)/∂Z = u_k v_kᵀ/S − σ_k/S² · Σ_j u_j v_jᵀ`, so the term's gradient is
///   `U·diag(c)·Vᵀ` with `c_j = −λs/K·([j < K]/S − (Σ_{k<K} σ_k)/S²)` — one GEMM. Valid where the
///   singular values are distinct and S > 0 (the SVD is not differentiable elsewhere; as in
///   PyTorch, the formula is then one subgradient);
/// - covariance: with `G = ∂R/∂C` (`2λv·C_ij/D` off the diagonal, 0 on it, symmetric),
///   `∂R/∂Z̄ = Z̄·(G + Gᵀ)/(B−1) = 2·Z̄·G/(B−1)`; the centring's backward `P·(·)` with
///   `P = I − 11ᵀ/B` is the identity here, because the columns of `Z̄·G` sum to `(1ᵀZ̄)·G = 0`.
///
/// Every product is a ``gemm(_:_:alpha:_:_:beta:_:)``. Cost per batch: one SVD with vectors of the
/// B×D matrix, two D×D×B GEMMs and one B×r×D GEMM.
public enum NMTuneLoss {
    /// The weights and top-k of the regulariser.
    public struct Weights: Sendable, Hashable {
        public var consistency: Float
        public var singular: Float
        public var covariance: Float
        public var topK: Int
        /// How the batch SVD rounds (``NMTuneArithmetic``).
        public var arithmetic: SVDArithmetic

        public init(consistency: Float, singular: Float, covariance: Float, topK: Int, arithmetic: SVDArithmetic = .version1) {
            self.consistency = consistency
            self.singular = singular
            self.covariance = covariance
            self.topK = topK
            self.arithmetic = arithmetic
        }

        /// The weights of `hyperparameters` (rounded to `Float`) and its NMTune arithmetic.
        /// - Throws: ``TuningError`` for an arithmetic version this build does not know.
        public init(_ hyperparameters: TuningHyperparameters) throws(TuningError) {
            self.init(consistency: Float(hyperparameters.consistencyWeight), singular: Float(hyperparameters.singularWeight),
                      covariance: Float(hyperparameters.covarianceWeight), topK: hyperparameters.topK,
                      arithmetic: try NMTuneArithmetic.svdArithmetic(version: hyperparameters.nmtuneArithmetic))
        }
    }

    /// The regulariser's value, its unweighted terms and `∂R/∂Z`.
    public struct Result {
        /// `mean_{b,d} (normalize(Z) − normalize(F))²`, unweighted.
        public var consistency: Double
        /// `mean_{k<K} σ_k/S`, unweighted (the loss subtracts it).
        public var singular: Double
        /// `(1/D) Σ_{i≠j} C_ij²`, unweighted.
        public var covariance: Double
        /// `λc·consistency − λs·singular + λv·covariance`.
        public var value: Double
        /// `∂value/∂Z`, B × D.
        public var gradient: Matrix
    }

    /// The regulariser on `z` (B × D, B ≥ 2) against the row-normalised frozen features
    /// `normalizedFeatures` (B × D, i.e. `normalize(F)` computed once by the caller).
    /// - Throws: `SVDError` when `z` holds a NaN or an infinity.
    public static func evaluate(z: Matrix, normalizedFeatures: Matrix, weights: Weights) throws(SVDError) -> Result {
        let b = z.rows, d = z.cols
        precondition(b >= 2 && d >= 1, "NMTuneLoss needs at least 2 rows, got \(b)×\(d)")
        precondition(normalizedFeatures.rows == b && normalizedFeatures.cols == d,
                     "NMTuneLoss: features \(normalizedFeatures.rows)×\(normalizedFeatures.cols) vs Z \(b)×\(d)")
        precondition(weights.topK >= 1, "NMTuneLoss: topK must be at least 1, got \(weights.topK)")

        // Consistency.
        let normalizedZ = Kernels.l2NormalizeRows(z)
        let mse = Loss.meanSquaredError(prediction: normalizedZ, target: normalizedFeatures)
        var gradNormalized = mse.gradient
        Kernels.scale(&gradNormalized, by: weights.consistency)
        var gradient = Kernels.l2NormalizeRowsBackward(gradNormalized, input: z)

        // Singular values of the uncentred batch.
        let singular = try singularTerm(z: z, weight: weights.singular, topK: weights.topK, arithmetic: weights.arithmetic,
                                        gradient: &gradient)

        // Covariance of the centred batch.
        let covariance = covarianceTerm(z: z, weight: weights.covariance, gradient: &gradient)

        let consistency = Double(mse.value)
        let value = Double(weights.consistency) * consistency - Double(weights.singular) * singular
            + Double(weights.covariance) * covariance
        return Result(consistency: consistency, singular: singular, covariance: covariance, value: value, gradient: gradient)
    }

    /// `mean_{k<K} σ_k/S`; adds `−weight·∂(…)/∂Z` into `gradient`.
    static func singularTerm(z: Matrix, weight: Float, topK: Int, arithmetic: SVDArithmetic,
                             gradient: inout Matrix) throws(SVDError) -> Double {
        let decomposition = try svd(z, computeVectors: true, arithmetic: arithmetic)
        let sigma = decomposition.singularValues
        let r = sigma.count, k = min(topK, r)
        var total = 0.0, top = 0.0
        for j in 0..<r { total += Double(sigma[j]) }
        for j in 0..<k { top += Double(sigma[j]) }
        guard total > 0 else { return 0 }  // Z = 0: the term is 0/0; treat as 0 with no gradient.
        let value = top / total / Double(k)
        guard weight != 0, let u = decomposition.u, let vt = decomposition.vt else { return value }
        // ∂(mean_k σ_k/S)/∂Z = U·diag(a_j)·Vᵀ with a_j = ([j<K]/S − top/S²)/K; scaled by −weight.
        let inverseTotal = 1 / total, shared = top / (total * total)
        var coefficients = [Float](repeating: 0, count: r)
        for j in 0..<r {
            coefficients[j] = Float(-Double(weight) * ((j < k ? inverseTotal : 0) - shared) / Double(k))
        }
        let scaledU = Kernels.multiplyingRowVector(Matrix(rows: 1, cols: r, elements: coefficients), into: u)
        scaledU.withView { uv in
            vt.withView { vv in
                gradient.withMutableView { g in gemm(.none, .none, alpha: 1, uv, vv, beta: 1, g) }
            }
        }
        return value
    }

    /// `(1/D) Σ_{i≠j} C_ij²` with `C = Z̄ᵀZ̄/(B−1)`; adds `weight·∂(…)/∂Z` into `gradient`.
    static func covarianceTerm(z: Matrix, weight: Float, gradient: inout Matrix) -> Double {
        let b = z.rows, d = z.cols
        var negativeMean = Kernels.columnMeans(z)
        Kernels.scale(&negativeMean, by: -1)
        let centred = Kernels.addingRowVector(negativeMean, to: z)
        var c = Matrix(rows: d, cols: d)
        centred.withView { zv in
            c.withMutableView { cv in gemm(.transposed, .none, alpha: 1 / Float(b - 1), zv, zv, beta: 0, cv) }
        }
        // Off-diagonal sum of squares in Double, row by row in a fixed order; G in place of C.
        var sumSquares = 0.0
        let g = 2 * weight / Float(d)
        c.withUnsafeMutableBufferPointer { cs in
            let base = cs.baseAddress!
            for i in 0..<d {
                let row = base + i * d
                // Off-diagonal squares summed directly (no diag² subtraction, which would cancel).
                var rowSum = 0.0
                for j in 0..<d where j != i { rowSum += Double(row[j]) * Double(row[j]) }
                sumSquares += rowSum
                Kernels.scale(row, by: g, count: d)
                row[i] = 0
            }
        }
        let value = sumSquares / Double(d)
        guard weight != 0 else { return value }
        centred.withView { zv in
            c.withView { gv in
                gradient.withMutableView { out in gemm(.none, .none, alpha: 2 / Float(b - 1), zv, gv, beta: 1, out) }
            }
        }
        return value
    }
}
