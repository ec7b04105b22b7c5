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
        if firstStep { buffers = parameters.map { Matrix(uninitializedRows: $0.value.rows, cols: $0.value.cols) } }
        for index in parameters.indices {
            let p = parameters[index]
            p.gradient.withUnsafeBufferPointer { g in
                p.value.withUnsafeMutableBufferPointer { value in
                    buffers![index].withUnsafeMutableBufferPointer { buffer in
                        update(g.baseAddress!, value.baseAddress!, buffer.baseAddress!, count: value.count, firstStep: firstStep)
                    }
                }
            }
        }
    }

    /// One parameter's update in one pass: per element the operations of the formula above, each
    /// rounded on its own in the same order (`y + a·x` is a product, then a sum: Swift contracts
    /// no multiply-add), so the bits are those of the pass-per-operation version (copy of the
    /// gradient, `axpy` for the decay, `scale` and `axpy` for the momentum, `axpy` for the step),
    /// without its copies and five trips through memory.
    private func update(_ g: UnsafePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
                        count: Int, firstStep: Bool) {
        let wd = weightDecay, mu = momentum, keep = 1 - dampening, rate = -learningRate
        let useDecay = wd != 0, useMomentum = momentum != 0, nesterov = self.nesterov
        @inline(__always) func element<T: SIMD>(_ g: T, _ p: T, _ b: T) -> (p: T, b: T) where T.Scalar == Float {
            var d = g
            if useDecay { d = d + T(repeating: wd) * p }
            guard useMomentum else { return (p + T(repeating: rate) * d, b) }
            let nb = firstStep ? d : b * T(repeating: mu) + T(repeating: keep) * d
            if nesterov { d = d + T(repeating: mu) * nb } else { d = nb }
            return (p + T(repeating: rate) * d, nb)
        }
        typealias V = SIMD16<Float>
        var i = 0
        while i + 16 <= count {
            let r = element(UnsafeRawPointer(g + i).loadUnaligned(as: V.self), UnsafeRawPointer(p + i).loadUnaligned(as: V.self),
                            UnsafeRawPointer(b + i).loadUnaligned(as: V.self))
            UnsafeMutableRawPointer(p + i).storeBytes(of: r.p, as: V.self)
            UnsafeMutableRawPointer(b + i).storeBytes(of: r.b, as: V.self)
            i += 16
        }
        while i < count {  // lane 0 of a pair: the same operations on one element
            let r = element(SIMD2(g[i], 0), SIMD2(p[i], 0), SIMD2(b[i], 0))
            p[i] = r.p[0]
            b[i] = r.b[0]
            i += 1
        }
    }
}
