/// The identity: rows are already flattened NCHW, so `Flatten` only marks, in an architecture
/// description, where images become feature vectors (PyTorch's `nn.Flatten()`).
public final class Flatten: Layer {
    public init() {}

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix { x }

    public func backward(_ gradOutput: Matrix) -> Matrix { gradOutput }

    public var description: String { "Flatten" }
}
