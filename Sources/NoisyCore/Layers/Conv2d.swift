/// A 2-D convolution with stride 1 and zero padding, as `torch.nn.Conv2d(in, out, k, padding: p)`.
///
/// Rows are flattened NCHW images (`input.count` values each); the output rows are flattened
/// `out × H' × W'` with `H' = H + 2p − k + 1`, `W' = W + 2p − k + 1`. The weight is
/// `out × (in·k·k)`, PyTorch's `out × in × kH × kW` flattened, so per sample the layer is one GEMM:
/// `W (out × in·k·k) · im2col(x) (in·k·k × H'W') = y (out × H'W')`, which is already NCHW.
/// Backward recomputes `im2col` per sample rather than caching it (it is cheap next to the GEMMs,
/// and a cached copy would be k² times the input). O(B·out·in·k²·H'W') each way.
public final class Conv2d: Layer {
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    public let kernelSize: Int
    public let padding: Int
    /// `out × (in·k·k)`.
    public let weight: Parameter
    /// `1 × out`, or nil.
    public let bias: Parameter?
    private var cachedInput: Matrix?

    /// A layer initialised as `torch.nn.Conv2d`: weights `U(±1/√(in·k·k))` drawn row-major from
    /// `rng`, then the bias (when `.uniform`) with the same bound.
    public convenience init(input: ImageShape, outChannels: Int, kernelSize: Int = 3, padding: Int = 0,
                bias: BiasInitialization = .uniform, rng: inout RandomStream, name: String = "conv") {
        let fanIn = input.channels * kernelSize * kernelSize
        let bound = Initialization.defaultBound(fanIn: fanIn)
        let w = Initialization.uniform(rows: outChannels, cols: fanIn, bound: bound, rng: &rng)
        let b: Matrix?
        switch bias {
        case .uniform: b = Initialization.uniform(rows: 1, cols: outChannels, bound: bound, rng: &rng)
        case .zeros: b = Matrix(rows: 1, cols: outChannels)
        case .none: b = nil
        }
        self.init(input: input, weight: w, bias: b, kernelSize: kernelSize, padding: padding, name: name)
    }

    /// A layer with explicit values: `weight` is `out × (in·k·k)`, `bias` (if any) `1 × out`.
    public init(input: ImageShape, weight: Matrix, bias: Matrix?, kernelSize: Int, padding: Int = 0, name: String = "conv") {
        precondition(kernelSize > 0 && padding >= 0, "Conv2d(\(name)) kernel \(kernelSize), padding \(padding)")
        let outH = input.height + 2 * padding - kernelSize + 1
        let outW = input.width + 2 * padding - kernelSize + 1
        precondition(outH > 0 && outW > 0,
                     "Conv2d(\(name)) kernel \(kernelSize) with padding \(padding) does not fit input \(input)")
        precondition(weight.rows > 0 && weight.cols == input.channels * kernelSize * kernelSize,
                     "Conv2d(\(name)) weight is \(weight.rows)×\(weight.cols), needs out×\(input.channels * kernelSize * kernelSize)")
        if let bias {
            precondition(bias.rows == 1 && bias.cols == weight.rows,
                         "Conv2d(\(name)) bias is \(bias.rows)×\(bias.cols), needs 1×\(weight.rows)")
        }
        inputShape = input
        outputShape = ImageShape(channels: weight.rows, height: outH, width: outW)
        self.kernelSize = kernelSize
        self.padding = padding
        self.weight = Parameter(name: "\(name).weight", value: weight)
        self.bias = bias.map { Parameter(name: "\(name).bias", value: $0) }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == inputShape.count,
                     "Conv2d(\(weight.name)) expects rows of \(inputShape) = \(inputShape.count) values, got \(x.rows)×\(x.cols)")
        cachedInput = x
        let batch = x.rows
        let plane = outputShape.planeSize, outChannels = outputShape.channels
        var y = Matrix(rows: batch, cols: outputShape.count)
        var columns = Matrix(rows: weight.value.cols, cols: plane)
        x.withUnsafeBufferPointer { xs in
            weight.value.withView { wv in
                y.withUnsafeMutableBufferPointer { ys in
                    for n in 0..<batch {
                        columns.withUnsafeMutableBufferPointer { col in
                            im2col(xs.baseAddress! + n * inputShape.count, into: col.baseAddress!)
                        }
                        let out = MutableMatrixView(base: ys.baseAddress! + n * outputShape.count, rows: outChannels, cols: plane, stride: plane)
                        columns.withView { cv in gemm(.none, .none, alpha: 1, wv, cv, beta: 0, out) }
                    }
                }
            }
        }
        if let bias {
            bias.value.withUnsafeBufferPointer { b in
                y.withUnsafeMutableBufferPointer { ys in
                    for n in 0..<batch {
                        for c in 0..<outChannels {
                            Kernels.addScalar(b[c], to: ys.baseAddress! + n * outputShape.count + c * plane, count: plane)
                        }
                    }
                }
            }
        }
        return y
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let x = requireCached(cachedInput, "Conv2d(\(weight.name))")
        precondition(gradOutput.rows == x.rows && gradOutput.cols == outputShape.count,
                     "Conv2d(\(weight.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(x.rows)×\(outputShape.count)")
        let batch = x.rows
        let plane = outputShape.planeSize, outChannels = outputShape.channels
        var gradInput = Matrix(rows: batch, cols: inputShape.count)
        var columns = Matrix(rows: weight.value.cols, cols: plane)
        var gradColumns = Matrix(rows: weight.value.cols, cols: plane)
        x.withUnsafeBufferPointer { xs in
            gradOutput.withUnsafeBufferPointer { gs in
                for n in 0..<batch {
                    let g = MatrixView(base: gs.baseAddress! + n * outputShape.count, rows: outChannels, cols: plane, stride: plane)
                    columns.withUnsafeMutableBufferPointer { col in
                        im2col(xs.baseAddress! + n * inputShape.count, into: col.baseAddress!)
                    }
                    // ∂W += g_n · im2col(x_n)ᵀ
                    columns.withView { cv in
                        weight.gradient.withMutableView { dw in gemm(.none, .transposed, alpha: 1, g, cv, beta: 1, dw) }
                    }
                    // ∂b[c] += Σ over the plane of g_n[c]
                    if let bias {
                        bias.gradient.withUnsafeMutableBufferPointer { db in
                            for c in 0..<outChannels { db[c] += Kernels.sum(g.base + c * plane, count: plane) }
                        }
                    }
                    // ∂x_n = col2im(Wᵀ · g_n)
                    weight.value.withView { wv in
                        gradColumns.withMutableView { dc in gemm(.transposed, .none, alpha: 1, wv, g, beta: 0, dc) }
                    }
                    gradColumns.withUnsafeBufferPointer { dc in
                        gradInput.withUnsafeMutableBufferPointer { dx in
                            col2imAdd(dc.baseAddress!, into: dx.baseAddress! + n * inputShape.count)
                        }
                    }
                }
            }
        }
        return gradInput
    }

    public var description: String {
        "Conv2d(\(inputShape.channels)→\(outputShape.channels), \(kernelSize)×\(kernelSize), padding \(padding); \(inputShape) → \(outputShape))"
    }
}
