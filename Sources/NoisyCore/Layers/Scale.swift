/// A learnable per-feature scale, `y = x ⊙ s` with `s` a `1 × D` vector (NMTune's `s`, initialised
/// to 1.0 by default).
public final class Scale: Layer {
    public let features: Int
    /// `1 × D`.
    public let scale: Parameter
    private var cachedInput: Matrix?

    public init(features: Int, initialValue: Float = 1, name: String = "scale") {
        precondition(features > 0, "Scale(\(name)) needs a positive feature count, got \(features)")
        self.features = features
        scale = Parameter(name: "\(name).scale", value: Matrix(rows: 1, cols: features, repeating: initialValue))
    }

    public var parameters: [Parameter] { [scale] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == features, "Scale(\(scale.name)) expects \(features) columns, got \(x.rows)×\(x.cols)")
        cachedInput = x
        return Kernels.multiplyingRowVector(scale.value, into: x)
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let x = requireCached(cachedInput, "Scale(\(scale.name))")
        precondition(gradOutput.rows == x.rows && gradOutput.cols == features,
                     "Scale(\(scale.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(x.rows)×\(features)")
        Kernels.axpy(1, Kernels.columnSumsOfProducts(gradOutput, x), &scale.gradient)
        return Kernels.multiplyingRowVector(scale.value, into: gradOutput)
    }

    public var description: String { "Scale(\(features))" }
}
