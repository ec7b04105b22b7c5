/// `max(x, 0)` elementwise; the gradient at 0 is 0, as in PyTorch.
public final class ReLU: Layer {
    private var cachedInput: Matrix?

    public init() {}

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        cachedInput = x
        return Kernels.relu(x)
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        Kernels.reluBackward(gradOutput, input: requireCached(cachedInput, "ReLU"))
    }

    public var description: String { "ReLU" }
}
