/// MLP and NMTune's residual feature map `Z = s ⊙ g(F) + F`, with
/// `g = Linear(D, h·D) → BatchNorm1d(h·D) → ReLU → Linear(h·D, D)` and `s` a learnable `1 × D`
/// scale initialised to 1.0 (docs/science.md, "The tuning methods").
///
/// The two Linear layers start as `torch.nn.Linear` does (`U(±1/√fan_in)` weights and biases).
/// `F` is frozen, so ``backward(_:)`` only accumulates parameter gradients and skips `∂L/∂F`
/// (the first layer's input gradient, one B×h·D×D GEMM, is never formed).
/// Cost per batch of B rows: forward `4·B·D·h·D` flops, backward about twice that.
public final class ResidualMLP {
    public let features: Int
    public let hidden: Int
    public let fc1: Linear
    public let bn: BatchNorm1d
    public let relu = ReLU()
    public let fc2: Linear
    public let scale: Scale
    private var cachedInput: Matrix?

    /// A map on `features`-dimensional rows with a hidden width of `hiddenMultiplier · features`;
    /// fc1 then fc2 draw their values from `rng` in that order.
    public init(features: Int, hiddenMultiplier: Int, rng: inout RandomStream) {
        precondition(features > 0 && hiddenMultiplier > 0, "ResidualMLP needs positive sizes, got D = \(features), h = \(hiddenMultiplier)")
        self.features = features
        hidden = features * hiddenMultiplier
        fc1 = Linear(inputs: features, outputs: hidden, rng: &rng, name: "g.0")
        bn = BatchNorm1d(features: hidden, name: "g.1")
        fc2 = Linear(inputs: hidden, outputs: features, rng: &rng, name: "g.3")
        scale = Scale(features: features, initialValue: 1, name: "s")
    }

    /// fc1, bn, fc2 and s parameters, in that order.
    public var parameters: [Parameter] { fc1.parameters + bn.parameters + fc2.parameters + scale.parameters }

    /// `Z` for the batch `f` (B × D); training mode uses (and updates) BatchNorm's batch statistics.
    public func forward(_ f: Matrix, training: Bool) -> Matrix {
        cachedInput = f
        let h = relu.forward(bn.forward(fc1.forward(f, training: training), training: training), training: training)
        var z = scale.forward(fc2.forward(h, training: training), training: training)
        Kernels.axpy(1, f, &z)
        return z
    }

    /// Accumulates every parameter's gradient from `∂L/∂Z` of the last ``forward(_:training:)``.
    public func backward(_ gradZ: Matrix) {
        let f = requireCached(cachedInput, "ResidualMLP")
        let gradHidden = bn.backward(relu.backward(fc2.backward(scale.backward(gradZ))))
        // fc1 by hand: ∂W += gᵀ·F, ∂b += Σ_rows g; no ∂F.
        gradHidden.withView { gv in
            f.withView { fv in
                fc1.weight.gradient.withMutableView { dw in gemm(.transposed, .none, alpha: 1, gv, fv, beta: 1, dw) }
            }
        }
        if let bias = fc1.bias { Kernels.axpy(1, Kernels.columnSums(gradHidden), &bias.gradient) }
    }
}
