import CVectorMath

/// `Conv2d → ReLU → MaxPool2d(2)` in one pass per image: the same values, bit for bit, as the
/// three layers in a ``Sequential``, without the batch-sized intermediate matrices.
///
/// Why: unfused, one pre-training step of the study's CNN wrote and read back about 50 MB of
/// intermediates (the convolution output, its ReLU, the pooling's dense gradient, the ReLU's
/// gradient) per batch of 128, most of it out of cache. Fused, each image's convolution output
/// stays in a small buffer where ReLU and pooling read it, and backward rebuilds the convolution's
/// output gradient image by image from the pooled gradient and the cached winners.
///
/// Exactness: forward applies ReLU (`v < 0 ? 0 : v`) to the convolution output and pools it with
/// ``MaxPool2d``'s rule (same ties, same NaN rule; ``reluPool(_:rowStride:planeWidth:shape:out:winners:)``). Backward gives the convolution the
/// gradient `0 + g` at each window's winner when the pooled value is > 0 (then the winner's
/// pre-ReLU value was > 0) and 0 everywhere else — what MaxPool2d's and ReLU's backward compute.
/// Requires ``Conv2d/directKernelsApply``; the plain three layers serve other shapes.
public final class Conv2dReLUPool: Layer {
    public let conv: Conv2d
    /// The pooled output shape, `C × ⌊H'/2⌋ × ⌊W'/2⌋`.
    public let outputShape: ImageShape
    private var cachedInput: Matrix?
    /// Per pooled output (batch-major): the winner's index in its channel's `H' × W'` plane, or −1
    /// when the pooled value is not > 0 (no gradient flows).
    var winners: [Int32] = []
    /// One image's convolution output (row-padded, or pixel-major in channel lanes).
    let imageOut = ConvBuffer()
    /// Channel lanes: one image's pooled values and winners, pixel-major.
    let pooledOut = ConvBuffer()

    /// Wraps `conv` (which keeps its parameters); `conv` must satisfy ``Conv2d/directKernelsApply``.
    public init(_ conv: Conv2d) {
        precondition(conv.directKernelsApply, "Conv2dReLUPool needs a convolution the direct kernels support, got \(conv)")
        precondition(conv.outputShape.height >= 2 && conv.outputShape.width >= 2, "Conv2dReLUPool: output \(conv.outputShape) is too small to pool")
        self.conv = conv
        outputShape = ImageShape(channels: conv.outputShape.channels, height: conv.outputShape.height / 2,
                                 width: conv.outputShape.width / 2)
    }

    /// Whether a convolution of this shape can be fused (else use Conv2d, ReLU, MaxPool2d).
    public static func supports(_ conv: Conv2d) -> Bool {
        conv.directKernelsApply && conv.outputShape.height >= 2 && conv.outputShape.width >= 2
    }

    /// `conv → ReLU → MaxPool2d(2)` as layers: one fused layer where the shape allows, else the three.
    public static func stage(_ conv: Conv2d) -> [any Layer] {
        supports(conv) ? [Conv2dReLUPool(conv)] : [conv, ReLU(), MaxPool2d(input: conv.outputShape)]
    }

    public var parameters: [Parameter] { conv.parameters }

    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        let inputShape = conv.inputShape
        precondition(x.cols == inputShape.count,
                     "Conv2dReLUPool(\(conv.weight.name)) expects rows of \(inputShape) = \(inputShape.count) values, got \(x.rows)×\(x.cols)")
        cachedInput = x
        let g = conv.geometry, ws = conv.workspace
        let batch = x.rows, channels = g.outChannels, patch = g.patch
        var y = Matrix(uninitializedRows: batch, cols: outputShape.count)  // every pooled value is written
        let pooled = outputShape.count, pooledPlane = outputShape.planeSize
        if winners.count != batch * pooled { winners = [Int32](repeating: 0, count: batch * pooled) }
        guard batch > 0 else { return y }
        if forwardInChannelLanes {
            forwardChannelLanes(x, into: &y)
            return y
        }
        if ws.forwardOffsets.count != patch { ws.forwardOffsets = g.forwardOffsets() }
        let rowFloats = g.forwardVectors * ConvGeometry.lanes
        let xp = ws.paddedImage.take(g.forwardReach, zeroed: false)
        // `+ 16`: the last window block of a row may read up to 16 floats past the second channel.
        let out = imageOut.take(2 * rowFloats + 16, zeroed: false)
        let wp = g.paddedWidth, outW = g.outWidth
        let bias = conv.bias
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                winners.withUnsafeMutableBufferPointer { wins in
                    conv.weight.value.withUnsafeBufferPointer { w in
                        ws.forwardOffsets.withUnsafeBufferPointer { offsets in
                            for n in 0..<batch {
                                g.pad(xs.baseAddress! + n * inputShape.count, into: xp)
                                var c = 0
                                while c < channels {
                                    let c1 = min(c + 1, channels - 1)
                                    ConvKernels.forwardPair(
                                        xp, offsets: offsets.baseAddress!, patch: patch,
                                        w.baseAddress! + c * patch, w.baseAddress! + c1 * patch,
                                        bias0: bias?.value[0, c], bias1: bias?.value[0, c1],
                                        vectors: g.forwardVectors, out, out + rowFloats)
                                    for index in 0..<(c1 == c ? 1 : 2) {
                                        let o = n * pooled + (c + index) * pooledPlane
                                        Self.reluPool(out + index * rowFloats, rowStride: wp, planeWidth: outW,
                                                      shape: outputShape, out: ys.baseAddress! + o, winners: wins.baseAddress! + o)
                                    }
                                    c += 2
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// ReLU and 2×2 max-pooling of one channel's convolution output (row-padded layout, rows
    /// `rowStride` apart), eight windows at a time, with each window's winner as an index into the
    /// channel's `H' × W'` plane (`planeWidth` = W'), or −1 where the pooled value is not > 0.
    ///
    /// The same values as ``MaxPool2d/poolRow(_:top:width:count:out:winners:)`` on the ReLU'd
    /// plane, lane by lane: ReLU is `v < 0 ? 0 : v` (NaN stays); a later candidate (top-right,
    /// bottom-left, bottom-right) replaces the current one when greater, or when NaN and the
    /// current value is not. Rows of fewer than eight windows (7 and 14 in the study's CNN) take
    /// the vector path too and store only their valid lanes: as scalar code with data-dependent
    /// branches that tail was a third of the forward pass. Reads up to 16 floats past the last
    /// window's bottom row.
    @inline(__always)
    static func reluPool(_ src: UnsafePointer<Float>, rowStride wp: Int, planeWidth outW: Int, shape: ImageShape,
                         out: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>) {
        typealias F = SIMD8<Float>
        typealias I = SIMD8<Int32>
        let zero = SIMD16<Float>(), lanes = I(0, 2, 4, 6, 8, 10, 12, 14)
        let poolW = shape.width
        for oy in 0..<shape.height {
            let top = 2 * oy * wp, planeTop = Int32(2 * oy * outW)
            var ox = 0
            while ox < poolW {
                let first = top + 2 * ox
                var upper = UnsafeRawPointer(src + first).loadUnaligned(as: SIMD16<Float>.self)
                var lower = UnsafeRawPointer(src + first + wp).loadUnaligned(as: SIMD16<Float>.self)
                upper.replace(with: zero, where: upper .< zero)
                lower.replace(with: zero, where: lower .< zero)
                var value = upper.evenHalf
                var offset = I()  // of the winner from the window's top-left
                // Integer selects through the masks' bits (all ones or zero per lane):
                // `SIMD8<Int32>.replace(with:where:)` under a mask from a Float comparison was
                // lowered lane by lane with branches.
                @inline(__always) func candidate(_ v: F, _ candidateOffset: Int32) {
                    let take = (v .> value) .| ((v .!= v) .& (value .== value))
                    value.replace(with: v, where: take)
                    let bits = unsafeBitCast(take, to: I.self)
                    offset = (offset & ~bits) | (I(repeating: candidateOffset) & bits)
                }
                candidate(upper.oddHalf, 1)
                candidate(lower.evenHalf, Int32(outW))
                candidate(lower.oddHalf, Int32(outW + 1))
                // Each lane's top-left in the plane, plus the offset; −1 (all ones) where not > 0.
                let positive = unsafeBitCast(value .> F(), to: I.self)
                let best = ((I(repeating: planeTop + Int32(2 * ox)) &+ lanes) &+ offset) | ~positive
                let o = oy * poolW + ox
                if ox + 8 <= poolW {
                    UnsafeMutableRawPointer(out + o).storeBytes(of: value, as: F.self)
                    UnsafeMutableRawPointer(winners + o).storeBytes(of: best, as: I.self)
                } else {
                    for i in 0..<(poolW - ox) {
                        out[o + i] = value[i]
                        winners[o + i] = best[i]
                    }
                }
                ox += 8
            }
        }
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let x = requireCached(cachedInput, "Conv2dReLUPool(\(conv.weight.name))")
        precondition(gradOutput.rows == x.rows && gradOutput.cols == outputShape.count,
                     "Conv2dReLUPool(\(conv.weight.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(x.rows)×\(outputShape.count)")
        let convShape = conv.outputShape, convPlane = convShape.planeSize
        let pooled = outputShape.count, pooledPlane = outputShape.planeSize, channels = outputShape.channels
        let total = gradOutput.rows * pooled
        return gradOutput.withUnsafeBufferPointer { gs in
            winners.withUnsafeBufferPointer { wins in
                // Straight into the convolution's channel-major chunk layout, planes in address
                // order (channel by channel, image by image), so each plane's spare stores land
                // where the next plane is written.
                conv.backwardDirect(x) { start, count, gathered, width in
                    for c in 0..<channels {
                        for j in 0..<count {
                            let base = (start + j) * pooled + c * pooledPlane
                            nm_unpool2x2_plane(gs.baseAddress! + base, wins.baseAddress! + base, total - base,
                                               outputShape.height, outputShape.width, convShape.height, convShape.width,
                                               gathered + c * width + j * convPlane)
                        }
                    }
                }
            }
        }
    }

    public var description: String { "Conv2dReLUPool(\(conv.description) → ReLU → MaxPool2d(2); → \(outputShape))" }
}
