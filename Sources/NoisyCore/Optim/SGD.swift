/// Stochastic gradient descent with momentum and weight decay, as `torch.optim.SGD`.
///
/// Per parameter `p` with gradient `g`:
/// ```
/// d ← g + wd·p                                   (when wd ≠ 0; coupled L2, as PyTorch)
/// b ← d  on the first step, else  b ← μ·b + (1 − dampening)·d     (when μ ≠ 0)
/// d ← d + μ·b  (Nesterov)  or  d ← b
/// p ← p − lr·d
/// ```
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// Momentum buffers, created on the first step (PyTorch's `momentum_buffer`).
    private var buffers: [Matrix]?

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: negative lr \(learningRate), momentum \(momentum) or weight decay \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step() {
        let firstStep = buffers == nil
        if firstStep { buffers = parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) } }
        for index in parameters.indices {
            let p = parameters[index]
            var direction = p.gradient
            if weightDecay != 0 { Kernels.axpy(weightDecay, p.value, &direction) }
            if momentum != 0 {
                if firstStep {
                    buffers![index] = direction
                } else {
                    Kernels.scale(&buffers![index], by: momentum)
                    Kernels.axpy(1 - dampening, direction, &buffers![index])
                }
                if nesterov {
                    Kernels.axpy(momentum, buffers![index], &direction)
                } else {
                    direction = buffers![index]
                }
            }
            Kernels.axpy(-learningRate, direction, &p.value)
        }
    }
}
