import CVectorMath

/// Direct (im2col-free) kernels for ``Conv2d``: the same arithmetic as the column-matrix GEMMs,
/// element for element, without building or packing a column matrix.
///
/// Why: in pre-training the GEMMs of the study's CNN are small (K = in·k·k = 9 or 144, M = out =
/// 16 or 32), so building `im2col` (thousands of short copies per image), packing it for the GEMM
/// and copying the channel-major product back cost more than the multiply-adds themselves.
///
/// Bitwise equality with the GEMM path (the pinned model hashes depend on it), for finite values:
/// - forward: each output is one FMA chain from +0 over `r = (c·k + ki)·k + kj` ascending, as the
///   GEMM's (K ≤ `GEMMBlocking.kc`, so one chain), then `+ bias`. Padding taps read real zeros
///   from a zero-padded copy of the input, exactly as `im2col` supplies them;
/// - ∂W: per chunk of ``Conv2d/chunkSize(batch:)`` images, each weight's FMA chain runs over the
///   chunk's pixels in the same order, restarts every `GEMMBlocking.kc` pixels and is added onto
///   the gradient, as `gemm(…, beta: 1)` does block by block;
/// - ∂X: each input element is `0 + t₀ + t₁ + …` over the taps `(ki, kj)` ascending, `t` the FMA
///   chain over output channels (one chain: out ≤ `GEMMBlocking.kc`), as `Wᵀ·G` then `col2im`.
///   Taps that fall outside the output read zeros from a padded copy of G: their chain is +0
///   (a chain from +0 never becomes −0 short of an underflow) and adding +0 changes nothing.
/// With a NaN or an infinity in the weights or gradients the padding taps can turn `∞·0` into NaN
/// where the GEMM path had no term; training has diverged by then either way.
///
/// The vector lanes run over output pixels in a row-padded flat layout (row stride `W + 2p`), so a
/// tap is one unaligned load at a fixed offset; the few pixels in the padding columns are computed
/// and thrown away.
extension Conv2d {
    /// Whether the direct kernels reproduce the GEMM path for this shape (one FMA chain per output
    /// and per ∂X tap, and padding no wider than the kernel); otherwise the layer uses the GEMMs.
    var directKernelsApply: Bool {
        weight.value.cols <= GEMMBlocking.kc && outputShape.channels <= GEMMBlocking.kc && padding <= kernelSize - 1
    }
}

/// A grow-only, 64-byte aligned Float buffer owned by one layer (no allocation per call).
final class ConvBuffer {
    private(set) var base: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        capacity = 16
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64).bindMemory(to: Float.self, capacity: capacity)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// At least `count` floats, all zero when `zeroed` (otherwise stale contents).
    func take(_ count: Int, zeroed: Bool) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            UnsafeMutableRawPointer(base).deallocate()
            capacity = count
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64).bindMemory(to: Float.self, capacity: capacity)
            base.initialize(repeating: 0, count: capacity)
        } else if zeroed {
            base.update(repeating: 0, count: count)
        }
        return base
    }
}

/// Copies `count` floats with inline vector moves: the runs here are 14–30 floats, where a
/// `memcpy` call per run cost more than the copy.
@inline(__always)
func copyRun(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i &+ 16 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
        i &+= 16
    }
    if i &+ 8 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i &+= 8
    }
    if i &+ 4 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
        i &+= 4
    }
    while i < count {
        dst[i] = src[i]
        i &+= 1
    }
}

/// The fixed numbers of one convolution shape that the direct kernels share.
struct ConvGeometry {
    let inChannels: Int, outChannels: Int, height: Int, width: Int, kernel: Int, padding: Int
    let outHeight: Int, outWidth: Int
    /// Padded input: `(H + 2p) × (W + 2p)` per channel.
    let paddedHeight: Int, paddedWidth: Int
    var paddedPlane: Int { paddedHeight * paddedWidth }
    var patch: Int { inChannels * kernel * kernel }
    /// Forward: output pixels in the row-padded layout, `H'·(W + 2p)`, in whole vectors.
    let forwardVectors: Int
    /// ∂X: gradient G padded by `k − 1 − p` on each side: `(H + k − 1) × (W + k − 1)` per channel.
    let gradHeight: Int, gradWidth: Int
    var gradPlane: Int { gradHeight * gradWidth }
    /// ∂X: input pixels in the row-padded layout `H·(W + k − 1)`, in whole vectors.
    let backwardVectors: Int

    static let lanes = 16

    init(input: ImageShape, output: ImageShape, kernel: Int, padding: Int) {
        inChannels = input.channels
        outChannels = output.channels
        height = input.height
        width = input.width
        self.kernel = kernel
        self.padding = padding
        outHeight = output.height
        outWidth = output.width
        paddedHeight = height + 2 * padding
        paddedWidth = width + 2 * padding
        // Whole vectors, not whole 3-vector register blocks: the kernels finish a row with a 2- or
        // 1-vector block (14 vectors of 16 for the study's 14 × 14 planes, where blocks of 3 made 15).
        forwardVectors = (outHeight * paddedWidth + Self.lanes - 1) / Self.lanes
        gradHeight = height + kernel - 1
        gradWidth = width + kernel - 1
        backwardVectors = (height * gradWidth + Self.lanes - 1) / Self.lanes
    }

    /// Offset of tap `r = (c·k + ki)·k + kj` in the padded input, from the output pixel's position.
    func forwardOffsets() -> [Int32] {
        var offsets = [Int32]()
        offsets.reserveCapacity(patch)
        for c in 0..<inChannels {
            for ki in 0..<kernel {
                for kj in 0..<kernel { offsets.append(Int32(c * paddedPlane + ki * paddedWidth + kj)) }
            }
        }
        return offsets
    }

    /// Floats of one padded input image plus the reach of the last vector block past it.
    var paddedImageFloats: Int { inChannels * paddedPlane }
    var forwardReach: Int {
        forwardVectors * Self.lanes + (inChannels - 1) * paddedPlane + (kernel - 1) * paddedWidth + kernel
    }
    var backwardReach: Int {
        backwardVectors * Self.lanes + (outChannels - 1) * gradPlane + (kernel - 1) * gradWidth + kernel
    }

    /// Copies image `x` (NCHW) into the interior of the zero-bordered padded image at `xp`.
    func pad(_ x: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>) {
        for c in 0..<inChannels {
            let src = x + c * height * width
            let dst = xp + c * paddedPlane + padding * paddedWidth + padding
            for y in 0..<height { copyRun(src + y * width, dst + y * paddedWidth, width) }
        }
    }

    /// Copies one output gradient (`out` planes of `H' × W'`, `channelStride` floats apart) into
    /// the interior of the zero-bordered padded gradient at `gp` (border `k − 1 − p`).
    func padGradient(_ g: UnsafePointer<Float>, channelStride: Int, into gp: UnsafeMutablePointer<Float>) {
        let border = kernel - 1 - padding
        for c in 0..<outChannels {
            let src = g + c * channelStride
            let dst = gp + c * gradPlane + border * gradWidth + border
            for y in 0..<outHeight { copyRun(src + y * outWidth, dst + y * gradWidth, outWidth) }
        }
    }
}

/// The register-blocked loops of the direct convolution kernels.
enum ConvKernels {
    typealias V = SIMD16<Float>

    /// Forward of one padded image: for output channels `c` and `c + 1` (weights `w0`, `w1`, each a
    /// row of `patch` values) and every block of three output vectors, the FMA chain over the taps;
    /// writes `chain + bias` to `out0` / `out1` (row-padded layout, `vectors · 16` floats each).
    /// A last block of two or one vector when `vectors` is not a multiple of three: every output is
    /// the same chain whatever block computes it.
    @inline(never)
    static func forwardPair(
        _ xp: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, patch: Int,
        _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, bias0: Float?, bias1: Float?,
        vectors: Int, _ out0: UnsafeMutablePointer<Float>, _ out1: UnsafeMutablePointer<Float>
    ) {
        var q = 0
        let end = vectors &* 16
        while q &+ 48 <= end {
            let x = UnsafeRawPointer(xp + q)
            var a0 = V(), a1 = V(), a2 = V(), b0 = V(), b1 = V(), b2 = V()
            for r in 0..<patch {
                let o = Int(offsets[r]) &* 4
                let x0 = x.loadUnaligned(fromByteOffset: o, as: V.self)
                let x1 = x.loadUnaligned(fromByteOffset: o &+ 64, as: V.self)
                let x2 = x.loadUnaligned(fromByteOffset: o &+ 128, as: V.self)
                let u = V(repeating: w0[r]), v = V(repeating: w1[r])
                a0 = a0.addingProduct(u, x0)
                b0 = b0.addingProduct(v, x0)
                a1 = a1.addingProduct(u, x1)
                b1 = b1.addingProduct(v, x1)
                a2 = a2.addingProduct(u, x2)
                b2 = b2.addingProduct(v, x2)
            }
            if let bias0 {
                let s = V(repeating: bias0)
                a0 += s; a1 += s; a2 += s
            }
            if let bias1 {
                let s = V(repeating: bias1)
                b0 += s; b1 += s; b2 += s
            }
            let o0 = UnsafeMutableRawPointer(out0 + q), o1 = UnsafeMutableRawPointer(out1 + q)
            o0.storeBytes(of: a0, toByteOffset: 0, as: V.self)
            o0.storeBytes(of: a1, toByteOffset: 64, as: V.self)
            o0.storeBytes(of: a2, toByteOffset: 128, as: V.self)
            o1.storeBytes(of: b0, toByteOffset: 0, as: V.self)
            o1.storeBytes(of: b1, toByteOffset: 64, as: V.self)
            o1.storeBytes(of: b2, toByteOffset: 128, as: V.self)
            q &+= 48
        }
        if q &+ 32 == end {
            let x = UnsafeRawPointer(xp + q)
            var a0 = V(), a1 = V(), b0 = V(), b1 = V()
            for r in 0..<patch {
                let o = Int(offsets[r]) &* 4
                let x0 = x.loadUnaligned(fromByteOffset: o, as: V.self)
                let x1 = x.loadUnaligned(fromByteOffset: o &+ 64, as: V.self)
                let u = V(repeating: w0[r]), v = V(repeating: w1[r])
                a0 = a0.addingProduct(u, x0)
                b0 = b0.addingProduct(v, x0)
                a1 = a1.addingProduct(u, x1)
                b1 = b1.addingProduct(v, x1)
            }
            if let bias0 {
                let s = V(repeating: bias0)
                a0 += s; a1 += s
            }
            if let bias1 {
                let s = V(repeating: bias1)
                b0 += s; b1 += s
            }
            let o0 = UnsafeMutableRawPointer(out0 + q), o1 = UnsafeMutableRawPointer(out1 + q)
            o0.storeBytes(of: a0, toByteOffset: 0, as: V.self)
            o0.storeBytes(of: a1, toByteOffset: 64, as: V.self)
            o1.storeBytes(of: b0, toByteOffset: 0, as: V.self)
            o1.storeBytes(of: b1, toByteOffset: 64, as: V.self)
        } else if q &+ 16 == end {
            let x = UnsafeRawPointer(xp + q)
            var a0 = V(), b0 = V()
            for r in 0..<patch {
                let x0 = x.loadUnaligned(fromByteOffset: Int(offsets[r]) &* 4, as: V.self)
                a0 = a0.addingProduct(V(repeating: w0[r]), x0)
                b0 = b0.addingProduct(V(repeating: w1[r]), x0)
            }
            if let bias0 { a0 += V(repeating: bias0) }
            if let bias1 { b0 += V(repeating: bias1) }
            UnsafeMutableRawPointer(out0 + q).storeBytes(of: a0, as: V.self)
            UnsafeMutableRawPointer(out1 + q).storeBytes(of: b0, as: V.self)
        }
    }

    /// ∂X of one image for input channels `c` and `c + 1`: for each tap `(ki, kj)` in order, the FMA
    /// chain over output channels (`wt0[j·out + o]`, `wt1[…]`: the transposed weights of the two
    /// channels' tap j) against the padded gradient `gp`; writes `0 + t₀ + t₁ + …` to `dx0` / `dx1`
    /// (row-padded layout). A last block of two or one vector as in ``forwardPair``.
    @inline(never)
    static func inputGradientPair(
        _ gp: UnsafePointer<Float>, gradPlane: Int, outChannels: Int, tapOffsets: UnsafePointer<Int32>, taps: Int,
        _ wt0: UnsafePointer<Float>, _ wt1: UnsafePointer<Float>,
        vectors: Int, _ dx0: UnsafeMutablePointer<Float>, _ dx1: UnsafeMutablePointer<Float>
    ) {
        var q = 0
        let end = vectors &* 16
        let planeBytes = gradPlane &* 4
        while q &+ 48 <= end {
            // The sums start at +0, as the zero-filled ∂X they were once added onto.
            var s0 = V(), s1 = V(), s2 = V(), u0 = V(), u1 = V(), u2 = V()
            for j in 0..<taps {
                var g = UnsafeRawPointer(gp + q) + Int(tapOffsets[j]) &* 4
                let w0 = wt0 + j &* outChannels, w1 = wt1 + j &* outChannels
                var a0 = V(), a1 = V(), a2 = V(), b0 = V(), b1 = V(), b2 = V()
                for o in 0..<outChannels {
                    let g0 = g.loadUnaligned(fromByteOffset: 0, as: V.self)
                    let g1 = g.loadUnaligned(fromByteOffset: 64, as: V.self)
                    let g2 = g.loadUnaligned(fromByteOffset: 128, as: V.self)
                    let u = V(repeating: w0[o]), v = V(repeating: w1[o])
                    a0 = a0.addingProduct(u, g0)
                    b0 = b0.addingProduct(v, g0)
                    a1 = a1.addingProduct(u, g1)
                    b1 = b1.addingProduct(v, g1)
                    a2 = a2.addingProduct(u, g2)
                    b2 = b2.addingProduct(v, g2)
                    g += planeBytes
                }
                s0 += a0; s1 += a1; s2 += a2
                u0 += b0; u1 += b1; u2 += b2
            }
            let d0 = UnsafeMutableRawPointer(dx0 + q), d1 = UnsafeMutableRawPointer(dx1 + q)
            d0.storeBytes(of: s0, toByteOffset: 0, as: V.self)
            d0.storeBytes(of: s1, toByteOffset: 64, as: V.self)
            d0.storeBytes(of: s2, toByteOffset: 128, as: V.self)
            d1.storeBytes(of: u0, toByteOffset: 0, as: V.self)
            d1.storeBytes(of: u1, toByteOffset: 64, as: V.self)
            d1.storeBytes(of: u2, toByteOffset: 128, as: V.self)
            q &+= 48
        }
        if q &+ 32 == end {
            var s0 = V(), s1 = V(), u0 = V(), u1 = V()
            for j in 0..<taps {
                var g = UnsafeRawPointer(gp + q) + Int(tapOffsets[j]) &* 4
                let w0 = wt0 + j &* outChannels, w1 = wt1 + j &* outChannels
                var a0 = V(), a1 = V(), b0 = V(), b1 = V()
                for o in 0..<outChannels {
                    let g0 = g.loadUnaligned(fromByteOffset: 0, as: V.self)
                    let g1 = g.loadUnaligned(fromByteOffset: 64, as: V.self)
                    let u = V(repeating: w0[o]), v = V(repeating: w1[o])
                    a0 = a0.addingProduct(u, g0)
                    b0 = b0.addingProduct(v, g0)
                    a1 = a1.addingProduct(u, g1)
                    b1 = b1.addingProduct(v, g1)
                    g += planeBytes
                }
                s0 += a0; s1 += a1
                u0 += b0; u1 += b1
            }
            let d0 = UnsafeMutableRawPointer(dx0 + q), d1 = UnsafeMutableRawPointer(dx1 + q)
            d0.storeBytes(of: s0, toByteOffset: 0, as: V.self)
            d0.storeBytes(of: s1, toByteOffset: 64, as: V.self)
            d1.storeBytes(of: u0, toByteOffset: 0, as: V.self)
            d1.storeBytes(of: u1, toByteOffset: 64, as: V.self)
        } else if q &+ 16 == end {
            var s0 = V(), u0 = V()
            for j in 0..<taps {
                var g = UnsafeRawPointer(gp + q) + Int(tapOffsets[j]) &* 4
                let w0 = wt0 + j &* outChannels, w1 = wt1 + j &* outChannels
                var a0 = V(), b0 = V()
                for o in 0..<outChannels {
                    let g0 = g.loadUnaligned(as: V.self)
                    a0 = a0.addingProduct(V(repeating: w0[o]), g0)
                    b0 = b0.addingProduct(V(repeating: w1[o]), g0)
                    g += planeBytes
                }
                s0 += a0
                u0 += b0
            }
            UnsafeMutableRawPointer(dx0 + q).storeBytes(of: s0, as: V.self)
            UnsafeMutableRawPointer(dx1 + q).storeBytes(of: u0, as: V.self)
        }
    }

    /// Copies one image's output gradient (`channels` planes of `plane` floats, `channelStride`
    /// apart) pixel-major into `dst` (`dst[p·ld + c]`), 16 channels × 16 pixels at a time through
    /// the in-register transpose (``nm_transpose16x16``); the edges scalar. A scalar strided copy
    /// was a fifth of the backward pass.
    static func pixelMajor(_ src: UnsafePointer<Float>, channels: Int, plane: Int, channelStride cs: Int,
                           into dst: UnsafeMutablePointer<Float>, ld: Int) {
        var c = 0
        while c + 16 <= channels {
            var p = 0
            while p + 16 <= plane {
                nm_transpose16x16(src + c * cs + p, cs, dst + p * ld + c, ld)
                p += 16
            }
            for q in p..<plane { for k in c..<(c + 16) { dst[q * ld + k] = src[k * cs + q] } }
            c += 16
        }
        for k in c..<channels {
            for q in 0..<plane { dst[q * ld + k] = src[k * cs + q] }
        }
    }

    /// ∂W for 16 output channels (one vector of `gt`, the pixel-major gradient with `ldg` floats per
    /// pixel) and six taps: over pixels `t ..< t + count` of the chunk, the FMA chain of
    /// `G[c][t]·X(t + offset)` from +0, then added onto the first `taps` of six `dwt` rows
    /// (tap-major, `ldw` floats per tap).
    ///
    /// Six accumulators (12 ymm on AVX2), one gradient vector and one broadcast: 15 of the 16 ymm
    /// registers. A 32-channel × 3-tap block (six accumulators of two vectors, 12 ymm, plus two
    /// gradient vectors) spilled its accumulators to the stack on AVX2 every pixel.
    @inline(__always)
    static func weightGradient1x6(
        _ gt: UnsafePointer<Float>, ldg: Int, _ xb: UnsafePointer<Float>, bases: UnsafePointer<Int32>,
        count: Int, _ o: (Int, Int, Int, Int, Int, Int), _ dwt: UnsafeMutablePointer<Float>, ldw: Int, taps: Int
    ) {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V()
        var g = UnsafeRawPointer(gt)
        let step = ldg &* 4
        for t in 0..<count {
            let x = xb + Int(bases[t])
            let g0 = g.loadUnaligned(fromByteOffset: 0, as: V.self)
            a0 = a0.addingProduct(g0, V(repeating: x[o.0]))
            a1 = a1.addingProduct(g0, V(repeating: x[o.1]))
            a2 = a2.addingProduct(g0, V(repeating: x[o.2]))
            a3 = a3.addingProduct(g0, V(repeating: x[o.3]))
            a4 = a4.addingProduct(g0, V(repeating: x[o.4]))
            a5 = a5.addingProduct(g0, V(repeating: x[o.5]))
            g += step
        }
        add(a0, 0); add(a1, 1); add(a2, 2); add(a3, 3); add(a4, 4); add(a5, 5)

        @inline(__always) func add(_ sum: V, _ i: Int) {
            guard i < taps else { return }
            let p = UnsafeMutableRawPointer(dwt + i &* ldw)
            p.storeBytes(of: p.loadUnaligned(as: V.self) + sum, as: V.self)
        }
    }

    /// ``weightGradient1x6(_:ldg:_:bases:count:_:_:ldw:taps:)`` for the last one to three taps of a
    /// patch (the first layer's 9 = 6 + 3), where six accumulators computed three discarded rows.
    @inline(__always)
    static func weightGradient1x3(
        _ gt: UnsafePointer<Float>, ldg: Int, _ xb: UnsafePointer<Float>, bases: UnsafePointer<Int32>,
        count: Int, _ o: (Int, Int, Int), _ dwt: UnsafeMutablePointer<Float>, ldw: Int
    ) {
        var a0 = V(), a1 = V(), a2 = V()
        var g = UnsafeRawPointer(gt)
        let step = ldg &* 4
        for t in 0..<count {
            let x = xb + Int(bases[t])
            let g0 = g.loadUnaligned(fromByteOffset: 0, as: V.self)
            a0 = a0.addingProduct(g0, V(repeating: x[o.0]))
            a1 = a1.addingProduct(g0, V(repeating: x[o.1]))
            a2 = a2.addingProduct(g0, V(repeating: x[o.2]))
            g += step
        }
        add(a0, 0); add(a1, 1); add(a2, 2)

        @inline(__always) func add(_ sum: V, _ i: Int) {
            let p = UnsafeMutableRawPointer(dwt + i &* ldw)
            p.storeBytes(of: p.loadUnaligned(as: V.self) + sum, as: V.self)
        }
    }
}

/// The direct kernels' buffers of one ``Conv2d`` (one layer belongs to one thread).
final class ConvWorkspace {
    /// Padded input image (forward); its zero border is never written.
    let paddedImage = ConvBuffer()
    /// Channel pairs of forward output in the row-padded layout.
    let forwardOut = ConvBuffer()
    /// Padded images of one chunk (∂W).
    let paddedChunk = ConvBuffer()
    /// The chunk's output gradient channel-major (as the GEMM path gathers it) and pixel-major.
    let gathered = ConvBuffer()
    let pixelMajor = ConvBuffer()
    /// ∂W transposed (tap-major), the transposed weights per input channel, padded gradient, ∂X.
    let weightGradient = ConvBuffer()
    let transposedWeights = ConvBuffer()
    let paddedGradient = ConvBuffer()
    let inputGradient = ConvBuffer()
    var forwardOffsets: [Int32] = []
    var bases: [Int32] = []
    /// Channel-lane ∂X (``Conv2d/inputGradientInChannelLanes``): each input pixel's position in the
    /// padded gradient, and the weights in 16-channel blocks.
    var inputPositions: [Int32] = []
    let channelLaneWeights = ConvBuffer()
    /// Channel-lane forward (``Conv2dReLUPool/forwardInChannelLanes``): each output pixel's top-left
    /// tap in the padded image, and the weights in 16-channel blocks.
    var outputPositions: [Int32] = []
    let channelLaneForwardWeights = ConvBuffer()
}

extension Conv2d {
    var geometry: ConvGeometry {
        ConvGeometry(input: inputShape, output: outputShape, kernel: kernelSize, padding: padding)
    }

    /// Forward with ``ConvKernels/forwardPair``; same values as the GEMM path (see above).
    func forwardDirect(_ x: Matrix) -> Matrix {
        let g = geometry, ws = workspace
        let batch = x.rows, outChannels = g.outChannels, patch = g.patch
        var y = Matrix(rows: batch, cols: outputShape.count)
        guard batch > 0 else { return y }
        if ws.forwardOffsets.count != patch { ws.forwardOffsets = g.forwardOffsets() }
        let rowFloats = g.forwardVectors * ConvGeometry.lanes
        let xp = ws.paddedImage.take(g.forwardReach, zeroed: false)
        let out = ws.forwardOut.take(2 * rowFloats, zeroed: false)
        let outW = g.outWidth, outH = g.outHeight, plane = outH * outW, wp = g.paddedWidth
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                weight.value.withUnsafeBufferPointer { w in
                    ws.forwardOffsets.withUnsafeBufferPointer { offsets in
                        for n in 0..<batch {
                            g.pad(xs.baseAddress! + n * inputShape.count, into: xp)
                            let row = ys.baseAddress! + n * outputShape.count
                            var c = 0
                            while c < outChannels {
                                let c1 = min(c + 1, outChannels - 1)
                                ConvKernels.forwardPair(
                                    xp, offsets: offsets.baseAddress!, patch: patch,
                                    w.baseAddress! + c * patch, w.baseAddress! + c1 * patch,
                                    bias0: bias?.value[0, c], bias1: bias?.value[0, c1],
                                    vectors: g.forwardVectors, out, out + rowFloats)
                                for index in 0..<(c1 == c ? 1 : 2) {
                                    let src = out + index * rowFloats, dst = row + (c + index) * plane
                                    for oy in 0..<outH { copyRun(src + oy * wp, dst + oy * outW, outW) }
                                }
                                c += 2
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// Backward with the direct ∂W and ∂X kernels; same values as the GEMM path (see above).
    func backwardDirect(_ x: Matrix, _ gradOutput: Matrix) -> Matrix {
        let plane = outputShape.planeSize, channels = outputShape.channels, perRow = outputShape.count
        return gradOutput.withUnsafeBufferPointer { gs in
            backwardDirect(x) { start, count, gathered, width in
                for j in 0..<count {
                    let row = gs.baseAddress! + (start + j) * perRow
                    for c in 0..<channels { (gathered + c * width + j * plane).update(from: row + c * plane, count: plane) }
                }
            }
        }
    }

    /// Backward with the direct kernels, the output gradient supplied a chunk at a time, channel-major
    /// (the GEMM path's layout): `fill(start, count, gathered, width)` writes the gradient of images
    /// `start ..< start + count`, channel `c` of image `start + j` at `gathered + c·width + j·H'W'`
    /// (`width = count·H'W'`). It may write up to 16 floats past the last plane. Skips ∂X (returns
    /// zeros) when ``computesInputGradient`` is false.
    func backwardDirect(_ x: Matrix, fill: (Int, Int, UnsafeMutablePointer<Float>, Int) -> Void) -> Matrix {
        let g = geometry, ws = workspace
        let batch = x.rows, outChannels = g.outChannels, patch = g.patch
        // ∂X writes every element; without it the result is zeros.
        var gradInput = computesInputGradient ? Matrix(uninitializedRows: batch, cols: inputShape.count)
                                              : Matrix(rows: batch, cols: inputShape.count)
        guard batch > 0 else { return gradInput }
        let plane = outputShape.planeSize, chunk = chunkSize(batch: batch)
        let lanes = ConvGeometry.lanes
        let paddedChannels = (outChannels + lanes - 1) / lanes * lanes
        let tapGroup = 6
        let paddedTaps = (patch + tapGroup - 1) / tapGroup * tapGroup
        if ws.forwardOffsets.count != patch { ws.forwardOffsets = g.forwardOffsets() }
        var offsets = ws.forwardOffsets
        offsets += [Int32](repeating: 0, count: paddedTaps - patch)

        // ∂W, tap-major with channel lanes: starts as the transposed current gradient.
        let dwt = ws.weightGradient.take(paddedTaps * paddedChannels, zeroed: true)
        weight.gradient.withUnsafeBufferPointer { dw in
            for o in 0..<outChannels { for r in 0..<patch { dwt[r * paddedChannels + o] = dw[o * patch + r] } }
        }
        let imageFloats = g.paddedImageFloats
        let xc = ws.paddedChunk.take((chunk - 1) * imageFloats + g.forwardReach, zeroed: false)
        let gathered = ws.gathered.take(outChannels * chunk * plane + 16, zeroed: false)
        // Only the real channels' lanes are ever written; the others keep the zeros of the
        // buffer's allocation (it is this layer's own and never holds anything else).
        let gt = ws.pixelMajor.take(chunk * plane * paddedChannels, zeroed: false)
        if ws.bases.count != chunk * plane {
            ws.bases = (0..<chunk * plane).map { t in
                let j = t / plane, pixel = t % plane
                return Int32(j * imageFloats + (pixel / g.outWidth) * g.paddedWidth + pixel % g.outWidth)
            }
        }
        // ∂X: the transposed weights of each input channel's taps, and the taps' offsets.
        let k = g.kernel, taps = k * k, inChannels = g.inChannels
        let channelLanes = computesInputGradient && inputGradientInChannelLanes
        let wt = ws.transposedWeights.take(inChannels * taps * outChannels, zeroed: false)
        let wtc = channelLanes ? prepareChannelLaneInputGradient(g, ws) : wt
        if computesInputGradient && !channelLanes {
            weight.value.withUnsafeBufferPointer { w in
                for ci in 0..<inChannels {
                    for j in 0..<taps {
                        for o in 0..<outChannels { wt[(ci * taps + j) * outChannels + o] = w[o * patch + ci * taps + j] }
                    }
                }
            }
        }
        var tapOffsets = [Int32]()
        for ki in 0..<k { for kj in 0..<k { tapOffsets.append(Int32((k - 1 - ki) * g.gradWidth + (k - 1 - kj))) } }
        let gp = ws.paddedGradient.take(g.backwardReach, zeroed: false)
        let rowFloats = g.backwardVectors * lanes
        let pairs = (inChannels + 1) / 2
        let dx = ws.inputGradient.take(max(2 * pairs * rowFloats, ws.inputPositions.count * lanes), zeroed: false)
        let h = g.height, w = g.width, gw = g.gradWidth

        let kc = GEMMBlocking.kc
        x.withUnsafeBufferPointer { xs in
            gradInput.withUnsafeMutableBufferPointer { dxs in
                ws.bases.withUnsafeBufferPointer { bases in
                    tapOffsets.withUnsafeBufferPointer { tapOffsets in
                        var start = 0
                        while start < batch {
                            let count = min(chunk, batch - start), width = count * plane
                            fill(start, count, gathered, width)
                            for j in 0..<count {
                                ConvKernels.pixelMajor(gathered + j * plane, channels: outChannels, plane: plane, channelStride: width,
                                                       into: gt + j * plane * paddedChannels, ld: paddedChannels)
                                g.pad(xs.baseAddress! + (start + j) * inputShape.count, into: xc + j * imageFloats)
                            }
                            if let bias {
                                bias.gradient.withUnsafeMutableBufferPointer { db in
                                    for c in 0..<outChannels { db[c] += Kernels.sum(gathered + c * width, count: width) }
                                }
                            }
                            var t = 0
                            while t < width {
                                let steps = min(kc, width - t)
                                let gBlock = gt + t * paddedChannels, bBlock = bases.baseAddress! + t
                                var c = 0
                                while c < paddedChannels {
                                    var r = 0
                                    while r < paddedTaps {
                                        if patch - r <= 3 {  // the padded group's real taps only
                                            ConvKernels.weightGradient1x3(
                                                gBlock + c, ldg: paddedChannels, xc, bases: bBlock, count: steps,
                                                (Int(offsets[r]), Int(offsets[r + 1]), Int(offsets[r + 2])),
                                                dwt + r * paddedChannels + c, ldw: paddedChannels)
                                            r += 6
                                            continue
                                        }
                                        ConvKernels.weightGradient1x6(
                                            gBlock + c, ldg: paddedChannels, xc, bases: bBlock, count: steps,
                                            (Int(offsets[r]), Int(offsets[r + 1]), Int(offsets[r + 2]),
                                             Int(offsets[r + 3]), Int(offsets[r + 4]), Int(offsets[r + 5])),
                                            dwt + r * paddedChannels + c, ldw: paddedChannels, taps: 6)
                                        r += 6
                                    }
                                    c += 16
                                }
                                t += steps
                            }
                            // ∂X of the chunk's images.
                            if channelLanes {
                                for j in 0..<count {
                                    g.padGradient(gathered + j * plane, channelStride: width, into: gp)
                                    channelLaneInputGradient(g, ws, gp: gp, weights: wtc, tapOffsets: tapOffsets.baseAddress!,
                                                             scratch: dx, into: dxs.baseAddress! + (start + j) * inputShape.count)
                                }
                            } else if computesInputGradient {
                                for j in 0..<count {
                                    g.padGradient(gathered + j * plane, channelStride: width, into: gp)
                                    var c = 0
                                    while c < inChannels {
                                        let c1 = min(c + 1, inChannels - 1)
                                        ConvKernels.inputGradientPair(
                                            gp, gradPlane: g.gradPlane, outChannels: outChannels, tapOffsets: tapOffsets.baseAddress!,
                                            taps: taps, wt + c * taps * outChannels, wt + c1 * taps * outChannels,
                                            vectors: g.backwardVectors, dx + c * rowFloats, dx + (c + 1) * rowFloats)
                                        c += 2
                                    }
                                    let image = dxs.baseAddress! + (start + j) * inputShape.count
                                    for ci in 0..<inChannels {
                                        let src = dx + ci * rowFloats, dst = image + ci * h * w
                                        for iy in 0..<h { copyRun(src + iy * gw, dst + iy * w, w) }
                                    }
                                }
                            }
                            start += count
                        }
                    }
                }
            }
        }
        weight.gradient.withUnsafeMutableBufferPointer { dw in
            for o in 0..<outChannels { for r in 0..<patch { dw[o * patch + r] = dwt[r * paddedChannels + o] } }
        }
        return gradInput
    }
}
