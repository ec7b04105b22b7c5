import CVectorMath
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
        // A multiply by the reciprocal instead of a second division per element. The loop lives in
        // C (CVectorMath): Swift's `squareRoot()` lowers to scalar libm calls, which made this
        // update 22 % of an NMTune cell; with vsqrtps it is a few per cent. No fused operations
        // there, so the rounding is that of the formula above.
        nm_adamw_update(count, p, g, m, v, decay, 1 - beta1, beta2, 1 - beta2, stepSize, 1 / correction2Sqrt, epsilon)
    }
}
