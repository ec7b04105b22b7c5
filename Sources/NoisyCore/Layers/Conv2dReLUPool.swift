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
/// ``MaxPool2d``'s own row kernel (same ties, same NaN rule). Backward gives the convolution the
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
    private var winners: [Int32] = []
    /// One image's convolution output in the row-padded layout, then the chunk's output gradients.
    private let imageOut = ConvBuffer()
    private let chunkGradient = ConvBuffer()
    private let rowWinners = ConvIndexBuffer()

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
        var y = Matrix(rows: batch, cols: outputShape.count)
        let pooled = outputShape.count, pooledPlane = outputShape.planeSize
        if winners.count != batch * pooled { winners = [Int32](repeating: 0, count: batch * pooled) }
        guard batch > 0 else { return y }
        if ws.forwardOffsets.count != patch { ws.forwardOffsets = g.forwardOffsets() }
        let rowFloats = g.forwardVectors * ConvGeometry.lanes
        let xp = ws.paddedImage.take(g.forwardReach, zeroed: false)
        let out = imageOut.take(2 * rowFloats, zeroed: false)
        let wp = g.paddedWidth, poolH = outputShape.height, poolW = outputShape.width, outW = g.outWidth
        let win = rowWinners.take(poolW)
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
                                        let channel = c + index, src = out + index * rowFloats
                                        Self.relu(src, count: 2 * poolH * wp)
                                        let o = n * pooled + channel * pooledPlane
                                        for oy in 0..<poolH {
                                            let top = 2 * oy * wp
                                            let dst = ys.baseAddress! + o + oy * poolW
                                            MaxPool2d.poolRow(src, top: top, width: wp, count: poolW, out: dst, winners: win)
                                            // Row-padded index → index in the H'×W' plane; −1 where nothing flows.
                                            let target = wins.baseAddress! + o + oy * poolW
                                            for i in 0..<poolW {
                                                let d = Int(win[i]) - top
                                                let below = d >= wp
                                                let plane = (2 * oy + (below ? 1 : 0)) * outW + (below ? d - wp : d)
                                                target[i] = dst[i] > 0 ? Int32(plane) : -1
                                            }
                                        }
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

    /// `v < 0 ? 0 : v` in place, as ``Kernels/relu(_:)`` (NaN stays).
    @inline(__always)
    static func relu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let zero = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(p + i)
            let v = raw.loadUnaligned(as: SIMD16<Float>.self)
            raw.storeBytes(of: v.replacing(with: zero, where: v .< zero), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            if p[i] < 0 { p[i] = 0 }
            i += 1
        }
    }

    public func backward(_ gradOutput: Matrix) -> Matrix {
        let x = requireCached(cachedInput, "Conv2dReLUPool(\(conv.weight.name))")
        precondition(gradOutput.rows == x.rows && gradOutput.cols == outputShape.count,
                     "Conv2dReLUPool(\(conv.weight.name)).backward: gradient is \(gradOutput.rows)×\(gradOutput.cols), needs \(x.rows)×\(outputShape.count)")
        let convCount = conv.outputShape.count, convPlane = conv.outputShape.planeSize
        let pooled = outputShape.count, pooledPlane = outputShape.planeSize, channels = outputShape.channels
        let chunk = conv.chunkSize(batch: x.rows)
        let buffer = chunkGradient.take(chunk * convCount, zeroed: false)
        return gradOutput.withUnsafeBufferPointer { gs in
            winners.withUnsafeBufferPointer { wins in
                conv.backwardDirect(x) { start, count in
                    buffer.update(repeating: 0, count: count * convCount)
                    for j in 0..<count {
                        let n = start + j, dst = buffer + j * convCount
                        for c in 0..<channels {
                            let base = n * pooled + c * pooledPlane, plane = dst + c * convPlane
                            for i in 0..<pooledPlane {
                                let w = wins[base + i]
                                if w >= 0 { plane[Int(w)] = 0 + gs[base + i] }
                            }
                        }
                    }
                    return UnsafePointer(buffer)
                }
            }
        }
    }

    public var description: String { "Conv2dReLUPool(\(conv.description) → ReLU → MaxPool2d(2); → \(outputShape))" }
}

/// A grow-only Int32 buffer (the pooling's row winners).
final class ConvIndexBuffer {
    private var storage = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
    private var capacity = 16

    deinit { storage.deallocate() }

    func take(_ count: Int) -> UnsafeMutablePointer<Int32> {
        if count > capacity {
            storage.deallocate()
            storage = .allocate(capacity: count)
            capacity = count
        }
        return storage
    }
}
