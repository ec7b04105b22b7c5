/// 2×2 max pooling with stride 2 on flattened NCHW rows, as `torch.nn.MaxPool2d(2)`.
///
/// Output `C × ⌊H/2⌋ × ⌊W/2⌋` (a trailing odd row or column is dropped, as in PyTorch). Ties go to
/// the first element in window order (top-left, top-right, bottom-left, bottom-right); NaN wins.
/// The winning input index is cached, so backward routes each gradient to exactly one input. O(B·C·H·W).
public final class MaxPool2d: Layer {
    public let inputShape: ImageShape
    public let outputShape: ImageShape
    /// For each output element (batch-major), the index of its winner within the input row.
    private var winners: [Int32] = []
    private var cachedBatch: Int?

    public init(input: ImageShape) {
        precondition(input.height >= 2 && input.width >= 2, "MaxPool2d needs images of at least 2×2, got \(input)")
        inputShape = input
        outputShape = ImageShape(channels: input.channels, height: input.height / 2, width: input.width / 2)
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.cols == inputShape.count,
                     "MaxPool2d expects rows of \(inputShape) = \(inputShape.count) values, got \(x.rows)×\(x.cols)")
        let batch = x.rows
        let h = inputShape.height, w = inputShape.width
        let outH = outputShape.height, outW = outputShape.width
        var y = Matrix(rows: batch, cols: outputShape.count)
        winners = [Int32](repeating: 0, count: batch * outputShape.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                winners.withUnsafeMutableBufferPointer { idx in
                    for n in 0..<batch {
                        let row = xs.baseAddress! + n * inputShape.count
                        let out = ys.baseAddress! + n * outputShape.count
                        let win = idx.baseAddress! + n * outputShape.count
                        for c in 0..<inputShape.channels {
                            for oy in 0..<outH {
                                for ox in 0..<outW {
                                    let first = (c * h + 2 * oy) * w + 2 * ox
                                    var best = first
                                    var value = row[first]
                                    // Window order; once NaN wins nothing replaces it.
                                    @inline(__always) func consider(_ candidate: Int) {
                                        let v = row[candidate]
                                        if !value.isNaN && (v > value || v.isNaN) {
                                            value = v
                                            best = candidate
                                        }
                                    }
                                    consider(first + 1)
                                    consider(first + w)
                                    consider(first + w + 1)
                                    let o = (c * outH + oy) * outW + ox
                                    out[o] = value
                                    win[o] = Int32(best)
                                }
                            }
                        }
                    }
                }
            }
        }
        cachedBatch = batch
        return y
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let batch = requireCached(cachedBatch, "MaxPool2d")
        precondition(gradOutput.rows == batch && gradOutput.cols == outputShape.count,
                     "MaxPool2d.backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(batch)×\(outputShape.count)")
        var gradInput = Matrix(rows: batch, cols: inputShape.count)
        let perRow = outputShape.count
        gradOutput.withUnsafeBufferPointer { gs in
            gradInput.withUnsafeMutableBufferPointer { dx in
                winners.withUnsafeBufferPointer { idx in
                    for n in 0..<batch {
                        let g = gs.baseAddress! + n * perRow, win = idx.baseAddress! + n * perRow
                        let dst = dx.baseAddress! + n * inputShape.count
                        // Windows do not overlap, so each input gets at most one gradient.
                        for o in 0..<perRow { dst[Int(win[o])] += g[o] }
                    }
                }
            }
        }
        return gradInput
    }

    public var description: String { "MaxPool2d(2; \(inputShape) → \(outputShape))" }
}
