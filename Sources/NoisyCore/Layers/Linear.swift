/// A fully connected layer, `y = x·Wᵀ + b`, with `W` stored `out × in` as in PyTorch.
///
/// Forward is one GEMM (`B×in · (out×in)ᵀ`); backward is two (`∂W += gᵀ·x`, `∂x = g·W`) plus a
/// column sum for `∂b`. O(B·in·out) each way.
public final class Linear: Layer {
    public let inputs: Int
    public let outputs: Int
    /// `out × in`.
    public let weight: Parameter
    /// `1 × out`, or nil for a layer without bias.
    public let bias: Parameter?
    private var cachedInput: Matrix?

    /// A layer initialised as `torch.nn.Linear`: weights `U(±1/√in)` drawn row-major from `rng`,
    /// then the bias (when `.uniform`) from the same stream.
    public init(inputs: Int, outputs: Int, bias: BiasInitialization = .uniform, rng: inout RandomStream, name: String = "linear") {
        precondition(inputs > 0 && outputs > 0, "Linear(\(name)) needs positive sizes, got \(inputs)→\(outputs)")
        self.inputs = inputs
        self.outputs = outputs
        let bound = Initialization.defaultBound(fanIn: inputs)
        weight = Parameter(name: "\(name).weight", value: Initialization.uniform(rows: outputs, cols: inputs, bound: bound, rng: &rng))
        switch bias {
        case .uniform: self.bias = Parameter(name: "\(name).bias", value: Initialization.uniform(rows: 1, cols: outputs, bound: bound, rng: &rng))
        case .zeros: self.bias = Parameter(name: "\(name).bias", value: Matrix(rows: 1, cols: outputs))
        case .none: self.bias = nil
        }
    }

    /// A layer with explicit values: `weight` is `out × in`, `bias` (if any) `1 × out`.
    public init(weight: Matrix, bias: Matrix?, name: String = "linear") {
        precondition(weight.rows > 0 && weight.cols > 0, "Linear(\(name)) weight is \(weight.rows)×\(weight.cols)")
        if let bias {
            precondition(bias.rows == 1 && bias.cols == weight.rows,
                         "Linear(\(name)) bias is \(bias.rows)×\(bias.cols), needs 1×\(weight.rows)")
        }
        inputs = weight.cols
        outputs = weight.rows
        self.weight = Parameter(name: "\(name).weight", value: weight)
        self.bias = bias.map { Parameter(name: "\(name).bias", value: $0) }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == inputs, "Linear(\(weight.name)) expects \(inputs) columns, got \(x.rows)×\(x.cols)")
        cachedInput = x
        var y = Matrix(uninitializedRows: x.rows, cols: outputs)  // the GEMM (beta 0) writes all of it
        x.withView { xv in
            weight.value.withView { wv in
                y.withMutableView { yv in gemm(.none, .transposed, alpha: 1, xv, wv, beta: 0, yv) }
            }
        }
        if let bias { Kernels.addRowVector(bias.value, to: &y) }
        return y
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let x = requireCached(cachedInput, "Linear(\(weight.name))")
        precondition(gradOutput.rows == x.rows && gradOutput.cols == outputs,
                     "Linear(\(weight.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(x.rows)×\(outputs)")
        var gradInput = Matrix(uninitializedRows: x.rows, cols: inputs)
        gradOutput.withView { gv in
            x.withView { xv in
                weight.gradient.withMutableView { dw in gemm(.transposed, .none, alpha: 1, gv, xv, beta: 1, dw) }
            }
            weight.value.withView { wv in
                gradInput.withMutableView { dx in gemm(.none, .none, alpha: 1, gv, wv, beta: 0, dx) }
            }
        }
        if let bias { Kernels.axpy(1, Kernels.columnSums(gradOutput), &bias.gradient) }
        return gradInput
    }

    public var description: String { "Linear(\(inputs)→\(outputs)\(bias == nil ? ", no bias" : ""))" }
}
