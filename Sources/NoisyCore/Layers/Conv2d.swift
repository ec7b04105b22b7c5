/// A 2-D convolution with stride 1 and zero padding, as `torch.nn.Conv2d(in, out, k, padding: p)`.
///
/// Rows are flattened NCHW images (`input.count` values each); the output rows are flattened
/// `out × H' × W'` with `H' = H + 2p − k + 1`, `W' = W + 2p − k + 1`. The weight is
/// `out × (in·k·k)`, PyTorch's `out × in × kH × kW` flattened, so per sample the layer is
/// `W (out × in·k·k) · im2col(x) (in·k·k × H'W') = y (out × H'W')`. The batch is processed in
/// chunks of ``chunkSize(batch:)`` samples whose column matrices sit side by side, so each chunk is
/// one GEMM of `N = chunk·H'W'` (per-sample GEMMs were too small to run at full speed, and their
/// fixed costs dominated pre-training). Forward values and the input gradient are bitwise those
/// of per-sample GEMMs (each element is the same FMA chain over `in·k·k`, resp. `out`); the weight
/// gradient sums over a whole chunk in one chain. Backward recomputes `im2col` rather than caching
/// it (a cached copy would be k² times the input). O(B·out·in·k²·H'W') each way.
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
    /// Work matrices kept between calls (column matrices, products, gathered gradients): fresh
    /// multi-MiB allocations each call cost page faults and zero-filling (14 % of pre-training).
    private var scratch: [Matrix] = []
    /// Whether ``backward(_:)`` computes ∂L/∂input. A network's first layer, whose input is data,
    /// sets it to false; backward then returns zeros of the input's shape (the parameter gradients
    /// are the same either way).
    public var computesInputGradient = true
    /// Buffers of the direct kernels (``Conv2d/directKernelsApply``), kept between calls.
    let workspace = ConvWorkspace()

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

    /// Samples per GEMM: as many as keep the column matrix within 2¹⁷ floats (512 KiB, so it is still
    /// in L2 when the GEMM packs it; larger chunks made packing memory-bound), at least 1.
    /// A fixed number of the layer's shape, never of the machine, so results are the same everywhere.
    public func chunkSize(batch: Int) -> Int {
        let perSample = weight.value.cols * outputShape.planeSize
        return max(1, min(batch, (1 << 17) / max(1, perSample)))
    }

    /// A work matrix of this shape: a kept one when one fits (its contents are stale; every user
    /// overwrites what it reads), else a new one. Taken out of `scratch` so it is uniquely
    /// referenced and writing to it never copies.
    private func takeScratch(rows: Int, cols: Int) -> Matrix {
        if let i = scratch.firstIndex(where: { $0.rows == rows && $0.cols == cols }) {
            return scratch.remove(at: i)
        }
        return Matrix(rows: rows, cols: cols)
    }

    /// The column matrix of `count` consecutive images at `images`, side by side (image j at
    /// column offset j·H'W', row stride count·H'W') in the first count·H'W' columns' worth of `columns`.
    private func chunkColumns(_ images: UnsafePointer<Float>, count: Int, into columns: inout Matrix) {
        let plane = outputShape.planeSize
        columns.withUnsafeMutableBufferPointer { col in
            for j in 0..<count {
                im2col(images + j * inputShape.count, into: col.baseAddress! + j * plane, rowStride: count * plane)
            }
        }
    }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == inputShape.count,
                     "Conv2d(\(weight.name)) expects rows of \(inputShape) = \(inputShape.count) values, got \(x.rows)×\(x.cols)")
        cachedInput = x
        if directKernelsApply { return forwardDirect(x) }
        let batch = x.rows
        let plane = outputShape.planeSize, outChannels = outputShape.channels, patch = weight.value.cols
        let chunk = chunkSize(batch: batch)
        var y = Matrix(rows: batch, cols: outputShape.count)
        guard batch > 0 else { return y }
        var columns = takeScratch(rows: patch, cols: chunk * plane)
        var product = takeScratch(rows: outChannels, cols: chunk * plane)
        defer { scratch += [columns, product] }
        let biasValues = bias.map { $0.value } ?? Matrix(rows: 1, cols: outChannels)
        x.withUnsafeBufferPointer { xs in
            weight.value.withView { wv in
                y.withUnsafeMutableBufferPointer { ys in
                    biasValues.withUnsafeBufferPointer { b in
                        var start = 0
                        while start < batch {
                            let count = min(chunk, batch - start), width = count * plane
                            chunkColumns(xs.baseAddress! + start * inputShape.count, count: count, into: &columns)
                            columns.withView { all in
                                let cv = MatrixView(base: all.base, rows: patch, cols: width, stride: width)
                                product.withMutableView { all in
                                    let pv = MutableMatrixView(base: all.base, rows: outChannels, cols: width, stride: width)
                                    gemm(.none, .none, alpha: 1, wv, cv, beta: 0, pv)
                                }
                            }
                            // Channel-major product → NCHW rows, adding the bias on the way.
                            product.withUnsafeBufferPointer { ps in
                                for j in 0..<count {
                                    let row = ys.baseAddress! + (start + j) * outputShape.count
                                    for c in 0..<outChannels {
                                        let src = ps.baseAddress! + c * width + j * plane
                                        if bias != nil {
                                            Kernels.addScalar(b[c], src, into: row + c * plane, count: plane)
                                        } else {
                                            (row + c * plane).update(from: src, count: plane)
                                        }
                                    }
                                }
                            }
                            start += count
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
        if directKernelsApply { return backwardDirect(x, gradOutput) }
        let batch = x.rows
        let plane = outputShape.planeSize, outChannels = outputShape.channels, patch = weight.value.cols
        let chunk = chunkSize(batch: batch)
        var gradInput = Matrix(rows: batch, cols: inputShape.count)
        guard batch > 0 else { return gradInput }
        var columns = takeScratch(rows: patch, cols: chunk * plane)
        var gathered = takeScratch(rows: outChannels, cols: chunk * plane)
        var gradColumns = takeScratch(rows: patch, cols: chunk * plane)
        defer { scratch += [columns, gathered, gradColumns] }
        x.withUnsafeBufferPointer { xs in
            gradOutput.withUnsafeBufferPointer { gs in
                var start = 0
                while start < batch {
                    let count = min(chunk, batch - start), width = count * plane
                    // The chunk's output gradient, channel-major like the forward product.
                    gathered.withUnsafeMutableBufferPointer { gd in
                        for j in 0..<count {
                            let row = gs.baseAddress! + (start + j) * outputShape.count
                            for c in 0..<outChannels {
                                (gd.baseAddress! + c * width + j * plane).update(from: row + c * plane, count: plane)
                            }
                        }
                    }
                    chunkColumns(xs.baseAddress! + start * inputShape.count, count: count, into: &columns)
                    gathered.withView { all in
                        let g = MatrixView(base: all.base, rows: outChannels, cols: width, stride: width)
                        // ∂W += G · im2col(X)ᵀ over the chunk
                        columns.withView { all in
                            let cv = MatrixView(base: all.base, rows: patch, cols: width, stride: width)
                            weight.gradient.withMutableView { dw in gemm(.none, .transposed, alpha: 1, g, cv, beta: 1, dw) }
                        }
                        // ∂b[c] += Σ over the chunk's planes of G[c]
                        if let bias {
                            bias.gradient.withUnsafeMutableBufferPointer { db in
                                for c in 0..<outChannels { db[c] += Kernels.sum(g.base + c * width, count: width) }
                            }
                        }
                        // ∂X = col2im(Wᵀ · G)
                        if computesInputGradient { weight.value.withView { wv in
                            gradColumns.withMutableView { all in
                                let dc = MutableMatrixView(base: all.base, rows: patch, cols: width, stride: width)
                                gemm(.transposed, .none, alpha: 1, wv, g, beta: 0, dc)
                            }
                        } }
                    }
                    if computesInputGradient { gradColumns.withUnsafeBufferPointer { dc in
                        gradInput.withUnsafeMutableBufferPointer { dx in
                            for j in 0..<count {
                                col2imAdd(dc.baseAddress! + j * plane, into: dx.baseAddress! + (start + j) * inputShape.count,
                                          rowStride: width)
                            }
                        }
                    } }
                    start += count
                }
            }
        }
        return gradInput
    }

    public var description: String {
        "Conv2d(\(inputShape.channels)→\(outputShape.channels), \(kernelSize)×\(kernelSize), padding \(padding); \(inputShape) → \(outputShape))"
    }
}
