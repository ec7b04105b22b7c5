/// One tuning method's trainable model: LP's linear head, or MLP / NMTune's residual map and head.
///
/// Initialisation is a pure function of `seed`: the residual map draws from
/// `RandomStream(seed:).derived("tune.residual")`, the head from `…derived("tune.head")`.
public final class ProbeNetwork {
    public let method: TuningMethod
    /// `nil` for LP.
    public let residual: ResidualMLP?
    public let head: Linear

    public init(method: TuningMethod, features: Int, classes: Int, hiddenMultiplier: Int, seed: UInt64) {
        self.method = method
        let root = RandomStream(seed: seed)
        var headStream = root.derived("tune.head")
        switch method {
        case .lp:
            residual = nil
            head = ProbeHead.kaimingUniform(features: features, classes: classes, rng: &headStream)
        case .mlp, .nmtune:
            var residualStream = root.derived("tune.residual")
            residual = ResidualMLP(features: features, hiddenMultiplier: hiddenMultiplier, rng: &residualStream)
            head = ProbeHead.kaimingUniform(features: features, classes: classes, rng: &headStream)
        }
    }

    /// Every trainable parameter (residual map first, then the head); AdamW decays them all, as
    /// `AdamW(model.parameters())` does.
    public var parameters: [Parameter] { (residual?.parameters ?? []) + head.parameters }

    /// The loss of one batch and its parts.
    public struct BatchLoss {
        /// The whole objective: CE, plus NMTune's regulariser.
        public var total: Double
        public var crossEntropy: Double
        /// NMTune's terms (nil for LP and MLP).
        public var regularizer: NMTuneLoss.Result?
    }

    /// Forward (training mode) on one batch, the loss, and — when `backward` — the parameter
    /// gradients accumulated into each ``Parameter/gradient``.
    ///
    /// `normalizedFeatures` (row-normalised `features`) and `weights` are required for NMTune.
    /// - Throws: `SVDError` when NMTune's Z is not finite.
    public func trainingStep(features: Matrix, normalizedFeatures: Matrix?, labels: [Int],
                             weights: NMTuneLoss.Weights?, backward: Bool) throws(SVDError) -> BatchLoss {
        let z = residual?.forward(features, training: true) ?? features
        let logits = head.forward(z, training: true)
        let ce = Loss.softmaxCrossEntropy(logits: logits, labels: labels)
        var regularizer: NMTuneLoss.Result?
        if method == .nmtune {
            guard let normalizedFeatures, let weights else {
                preconditionFailure("ProbeNetwork.trainingStep: NMTune needs normalized features and weights")
            }
            regularizer = try NMTuneLoss.evaluate(z: z, normalizedFeatures: normalizedFeatures, weights: weights)
        }
        if backward {
            var gradZ = head.backward(ce.gradient)
            if let residual {
                if let regularizer { Kernels.axpy(1, regularizer.gradient, &gradZ) }
                residual.backward(gradZ)
            }
        }
        let crossEntropy = Double(ce.value)
        return BatchLoss(total: crossEntropy + (regularizer?.value ?? 0), crossEntropy: crossEntropy, regularizer: regularizer)
    }

    /// The features the head sees (`Z`, or `F` itself for LP), BatchNorm in evaluation mode.
    public func tunedFeatures(_ features: Matrix) -> Matrix {
        residual?.forward(features, training: false) ?? features
    }

    /// The head's logits on `features`, evaluation mode.
    public func logits(_ features: Matrix) -> Matrix {
        head.forward(tunedFeatures(features), training: false)
    }
}
