import Foundation

/// AdamW with decoupled weight decay, step for step as `torch.optim.AdamW` (amsgrad off).
///
/// Per parameter `p` with gradient `g`, at step `t` (1-based):
/// ```
/// p ← p·(1 − lr·wd)                          // decoupled decay, before the Adam update
/// m ← m + (1 − β₁)(g − m);  v ← β₂·v + (1 − β₂)·g²
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// The bias corrections are computed in `Double` (as PyTorch does in Python) and rounded to
/// `Float`; the elementwise update is `Float` SIMD. O(parameters) per step.
public final class AdamW: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// First and second moments, one per parameter.
    private var firstMoments: [Matrix]
    private var secondMoments: [Matrix]

    /// Defaults are PyTorch's (`lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2`).
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "AdamW: negative lr \(learningRate), eps \(epsilon) or weight decay \(weightDecay)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW: betas must be in [0, 1), got \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) }
        secondMoments = parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) }
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let lr = Double(learningRate)
        let decay = Float(1 - lr * Double(weightDecay))
        let stepSize = Float(lr / (1 - Foundation.pow(Double(beta1), t)))
        let correction2Sqrt = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        for index in parameters.indices {
            let p = parameters[index]
            precondition(p.gradient.rows == p.value.rows && p.gradient.cols == p.value.cols,
                         "AdamW: gradient of \(p.name) is \(p.gradient.rows)×\(p.gradient.cols), value is \(p.value.rows)×\(p.value.cols)")
            p.gradient.withUnsafeBufferPointer { gs in
                p.value.withUnsafeMutableBufferPointer { ps in
                    firstMoments[index].withUnsafeMutableBufferPointer { ms in
                        secondMoments[index].withUnsafeMutableBufferPointer { vs in
                            Self.update(count: ps.count, p: ps.baseAddress!, g: gs.baseAddress!, m: ms.baseAddress!, v: vs.baseAddress!,
                                        decay: decay, beta1: beta1, beta2: beta2, stepSize: stepSize,
                                        correction2Sqrt: correction2Sqrt, epsilon: epsilon)
                        }
                    }
                }
            }
        }
    }

    /// The elementwise AdamW update on raw pointers.
    private static func update(count: Int, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                               m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                               decay: Float, beta1: Float, beta2: Float, stepSize: Float,
                               correction2Sqrt: Float, epsilon: Float) {
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        let vDecay = SIMD16(repeating: decay), vB1 = SIMD16(repeating: oneMinusBeta1)
        let vB2 = SIMD16(repeating: beta2), vOneMinusB2 = SIMD16(repeating: oneMinusBeta2)
        let vStep = SIMD16(repeating: stepSize), vInvC2 = SIMD16(repeating: 1 / correction2Sqrt), vEps = SIMD16(repeating: epsilon)
        // A multiply by the reciprocal instead of a second division per element: the update is
        // bound by division and square-root throughput (a third of an MLP probe's step).
        let inverseCorrection2Sqrt = 1 / correction2Sqrt
        var i = 0
        while i + 16 <= count {
            let gi = load16(g + i)
            let mi = load16(m + i) + vB1 * (gi - load16(m + i))
            let vi = vB2 * load16(v + i) + vOneMinusB2 * (gi * gi)
            let pi = load16(p + i) * vDecay
            let denominator = vi.squareRoot() * vInvC2 + vEps
            store16(mi, m + i)
            store16(vi, v + i)
            store16(pi - vStep * (mi / denominator), p + i)
            i += 16
        }
        while i < count {
            let gi = g[i]
            let mi = m[i] + oneMinusBeta1 * (gi - m[i])
            let vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi)
            let pi = p[i] * decay
            let denominator = vi.squareRoot() * inverseCorrection2Sqrt + epsilon
            m[i] = mi
            v[i] = vi
            p[i] = pi - stepSize * (mi / denominator)
            i += 1
        }
    }
}
