/// Batch normalisation over the rows of a `B × D` batch, as `torch.nn.BatchNorm1d(D)`.
///
/// Training: each column is normalised with the batch mean and the **biased** batch variance,
/// `x̂ = (x − μ)/√(σ² + eps)`, `y = γ·x̂ + β`; the running statistics move by `momentum`
/// towards the batch mean and the **unbiased** batch variance (`σ²·B/(B−1)`), as PyTorch does.
/// Evaluation: the running statistics replace the batch ones. O(B·D).
public final class BatchNorm1d: Layer {
    public let features: Int
    public let epsilon: Float
    public let momentum: Float
    /// γ, `1 × D`, initialised to 1.
    public let gamma: Parameter
    /// β, `1 × D`, initialised to 0.
    public let beta: Parameter
    /// Running mean, `1 × D`, initialised to 0 (a buffer, not trained).
    public var runningMean: Matrix
    /// Running (unbiased) variance, `1 × D`, initialised to 1.
    public var runningVariance: Matrix

    private var cachedNormalized: Matrix?
    private var cachedInverseStd: Matrix?
    /// Whether the cached batch was normalised with its own statistics (then ∂μ, ∂σ² flow back).
    private var lastForwardWasTraining = false

    public init(features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, name: String = "bn") {
        precondition(features > 0, "BatchNorm1d(\(name)) needs a positive feature count, got \(features)")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        gamma = Parameter(name: "\(name).weight", value: Matrix(rows: 1, cols: features, repeating: 1))
        beta = Parameter(name: "\(name).bias", value: Matrix(rows: 1, cols: features))
        runningMean = Matrix(rows: 1, cols: features)
        runningVariance = Matrix(rows: 1, cols: features, repeating: 1)
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == features, "BatchNorm1d(\(gamma.name)) expects \(features) columns, got \(x.rows)×\(x.cols)")
        let mean: Matrix, variance: Matrix
        if training {
            precondition(x.rows > 1, "BatchNorm1d(\(gamma.name)) in training needs more than one row per batch, got \(x.rows)")
            (mean, variance) = Kernels.columnMeanAndVariance(x, unbiased: false)
            updateRunningStatistics(mean: mean, biasedVariance: variance, batch: x.rows)
        } else {
            (mean, variance) = (runningMean, runningVariance)
        }
        var inverseStd = Matrix(uninitializedRows: 1, cols: features)
        variance.withUnsafeBufferPointer { v in
            inverseStd.withUnsafeMutableBufferPointer { s in
                for c in 0..<features { s[c] = 1 / (v[c] + epsilon).squareRoot() }
            }
        }
        // x̂ = (x + (−μ))·invstd, then y = x̂·γ + β: one pass, each a separate rounding (no FMA).
        var negativeMean = mean
        Kernels.scale(&negativeMean, by: -1)
        var normalized = Matrix(uninitializedRows: x.rows, cols: features)
        var y = Matrix(uninitializedRows: x.rows, cols: features)
        Self.eachColumnVector(rows: x.rows, cols: features, x, negativeMean, inverseStd, gamma.value, beta.value,
                              &normalized, &y) { x, negativeMean, inverseStd, gamma, beta in
            let n = (x + negativeMean) * inverseStd
            return (n, n * gamma + beta)
        }
        cachedNormalized = normalized
        cachedInverseStd = inverseStd
        lastForwardWasTraining = training
        return y
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let normalized = requireCached(cachedNormalized, "BatchNorm1d(\(gamma.name))")
        let inverseStd = requireCached(cachedInverseStd, "BatchNorm1d(\(gamma.name))")
        precondition(gradOutput.rows == normalized.rows && gradOutput.cols == features,
                     "BatchNorm1d(\(gamma.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(normalized.rows)×\(features)")
        let gradSum = Kernels.columnSums(gradOutput)
        let gradDotNormalized = Kernels.columnSumsOfProducts(gradOutput, normalized)
        Kernels.axpy(1, gradSum, &beta.gradient)
        Kernels.axpy(1, gradDotNormalized, &gamma.gradient)

        // Per-column factor γ·invstd.
        let factor = Kernels.multiply(gamma.value, inverseStd)
        if !lastForwardWasTraining { return Kernels.multiplyingRowVector(factor, into: gradOutput) }
        // μ and σ² depend on every row: ∂x = γ·invstd·(g − mean(g) − x̂·mean(g·x̂)), evaluated as
        // ((g + (−mean g)) + x̂·(−mean(g·x̂)))·factor, one rounding per operation (no FMA).
        let n = Float(normalized.rows)
        var meanGrad = gradSum
        Kernels.scale(&meanGrad, by: -1 / n)
        var meanGradNormalized = gradDotNormalized
        Kernels.scale(&meanGradNormalized, by: -1 / n)
        var gradInput = Matrix(uninitializedRows: normalized.rows, cols: features)
        var unused = Matrix(rows: 0, cols: 0)
        Self.eachColumnVector(rows: normalized.rows, cols: features, gradOutput, meanGrad, normalized, meanGradNormalized, factor,
                              &gradInput, &unused, rowMajorThird: true) { g, meanGrad, normalized, meanGradNormalized, factor in
            (((g + meanGrad) + normalized * meanGradNormalized) * factor, .zero)
        }
        return gradInput
    }

    /// Runs `body` over every row of the `rows × cols` matrix `x` in 16-column vectors (then a
    /// 1-column tail, where the lanes are the same scalar operations): `a`, `c` and `d` are `1 × cols`
    /// row vectors, `b` is one too unless `rowMajorThird`, when it is a second `rows × cols` matrix
    /// read like `x`. Writes the body's first result into `first` and, when `second` has
    /// `rows × cols` elements, its second result into `second`.
    @inline(__always)
    private static func eachColumnVector(
        rows: Int, cols: Int, _ x: Matrix, _ a: Matrix, _ b: Matrix, _ c: Matrix, _ d: Matrix,
        _ first: inout Matrix, _ second: inout Matrix, rowMajorThird: Bool = false,
        _ body: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>)
    ) {
        let writesSecond = second.count == rows * cols
        x.withUnsafeBufferPointer { xs in a.withUnsafeBufferPointer { av in b.withUnsafeBufferPointer { bv in
        c.withUnsafeBufferPointer { cv in d.withUnsafeBufferPointer { dv in
        first.withUnsafeMutableBufferPointer { fs in second.withUnsafeMutableBufferPointer { ss in
            let av = av.baseAddress!, cv = cv.baseAddress!, dv = dv.baseAddress!
            for r in 0..<rows {
                let row = r * cols
                let xr = xs.baseAddress! + row, br = bv.baseAddress! + (rowMajorThird ? row : 0)
                let fr = fs.baseAddress! + row
                var j = 0
                while j + 16 <= cols {
                    let (u, v) = body(load16(xr + j), load16(av + j), load16(br + j), load16(cv + j), load16(dv + j))
                    store16(u, fr + j)
                    if writesSecond { store16(v, ss.baseAddress! + row + j) }
                    j += 16
                }
                while j < cols {
                    let (u, v) = body(SIMD16(repeating: xr[j]), SIMD16(repeating: av[j]), SIMD16(repeating: br[j]),
                                      SIMD16(repeating: cv[j]), SIMD16(repeating: dv[j]))
                    fr[j] = u[0]
                    if writesSecond { ss[row + j] = v[0] }
                    j += 1
                }
            }
        }}}}}}}
    }

    private func updateRunningStatistics(mean: Matrix, biasedVariance: Matrix, batch: Int) {
        let m = momentum, keep = 1 - momentum
        let bessel = Float(batch) / Float(batch - 1)
        mean.withUnsafeBufferPointer { mu in
            biasedVariance.withUnsafeBufferPointer { v in
                runningMean.withUnsafeMutableBufferPointer { rm in
                    runningVariance.withUnsafeMutableBufferPointer { rv in
                        for c in 0..<features {
                            rm[c] = keep * rm[c] + m * mu[c]
                            rv[c] = keep * rv[c] + m * (v[c] * bessel)
                        }
                    }
                }
            }
        }
    }

    public var description: String { "BatchNorm1d(\(features))" }
}
