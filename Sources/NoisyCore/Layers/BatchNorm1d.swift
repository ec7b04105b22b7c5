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
        var inverseStd = Matrix(rows: 1, cols: features)
        variance.withUnsafeBufferPointer { v in
            inverseStd.withUnsafeMutableBufferPointer { s in
                for c in 0..<features { s[c] = 1 / (v[c] + epsilon).squareRoot() }
            }
        }
        // x̂ = (x − μ)·invstd, then y = γ·x̂ + β, row by row.
        var normalized = x
        var negativeMean = mean
        Kernels.scale(&negativeMean, by: -1)
        Kernels.addRowVector(negativeMean, to: &normalized)
        Kernels.multiplyRowVector(inverseStd, into: &normalized)
        var y = normalized
        Kernels.multiplyRowVector(gamma.value, into: &y)
        Kernels.addRowVector(beta.value, to: &y)
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
        let gradDotNormalized = Kernels.columnSums(Kernels.multiply(gradOutput, normalized))
        Kernels.axpy(1, gradSum, &beta.gradient)
        Kernels.axpy(1, gradDotNormalized, &gamma.gradient)

        // Per-column factor γ·invstd.
        let factor = Kernels.multiply(gamma.value, inverseStd)
        var gradInput = gradOutput
        if lastForwardWasTraining {
            // μ and σ² depend on every row: ∂x = γ·invstd·(g − mean(g) − x̂·mean(g·x̂)).
            let n = Float(normalized.rows)
            var meanGrad = gradSum
            Kernels.scale(&meanGrad, by: -1 / n)
            var meanGradNormalized = gradDotNormalized
            Kernels.scale(&meanGradNormalized, by: -1 / n)
            var correction = normalized
            Kernels.multiplyRowVector(meanGradNormalized, into: &correction)
            Kernels.addRowVector(meanGrad, to: &gradInput)
            Kernels.axpy(1, correction, &gradInput)
        }
        Kernels.multiplyRowVector(factor, into: &gradInput)
        return gradInput
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
