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
                                let top = (c * h + 2 * oy) * w
                                let o = (c * outH + oy) * outW
                                Self.poolRow(row, top: top, width: w, count: outW, out: out + o, winners: win + o)
                            }
                        }
                    }
                }
            }
        }
        cachedBatch = batch
        return y
    }

    /// Pools one output row: `count` windows whose top-left inputs are `row[top + 2·i]` (the bottom
    /// row is `width` further). Eight windows at a time with vector selects: which element wins is
    /// data-dependent, and as branches it mispredicted so often that this layer was 16 % of
    /// pre-training. The rule is the scalar one, lane by lane: a later candidate replaces the
    /// current value when it is greater, or when it is NaN and the current value is not.
    @inline(__always)
    static func poolRow(_ row: UnsafePointer<Float>, top: Int, width w: Int, count: Int,
                        out: UnsafeMutablePointer<Float>, winners win: UnsafeMutablePointer<Int32>) {
        var ox = 0
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        while ox + 8 <= count {
            let first = top + 2 * ox
            let upper = UnsafeRawPointer(row + first).loadUnaligned(as: SIMD16<Float>.self)
            let lower = UnsafeRawPointer(row + first + w).loadUnaligned(as: SIMD16<Float>.self)
            var value = upper.evenHalf
            var best = SIMD8<Int32>(repeating: Int32(first)) &+ lanes  // each lane's top-left input
            let base = best
            @inline(__always) func candidate(_ v: SIMD8<Float>, _ offset: Int32) {
                let take = (v .> value) .| ((v .!= v) .& (value .== value))
                value.replace(with: v, where: take)
                best.replace(with: base &+ offset, where: take)
            }
            candidate(upper.oddHalf, 1)
            candidate(lower.evenHalf, Int32(w))
            candidate(lower.oddHalf, Int32(w + 1))
            UnsafeMutableRawPointer(out + ox).storeBytes(of: value, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(win + ox).storeBytes(of: best, as: SIMD8<Int32>.self)
            ox += 8
        }
        while ox < count {
            let first = top + 2 * ox
            var best = first
            var value = row[first]
            @inline(__always) func consider(_ candidate: Int) {
                let v = row[candidate]
                if v > value || (v.isNaN && !value.isNaN) {
                    value = v
                    best = candidate
                }
            }
            consider(first + 1)
            consider(first + w)
            consider(first + w + 1)
            out[ox] = value
            win[ox] = Int32(best)
            ox += 1
        }
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
