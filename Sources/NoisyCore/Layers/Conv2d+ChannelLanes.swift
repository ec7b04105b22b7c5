import CVectorMath

/// ∂X of ``Conv2d`` with the vector lanes over 16 input channels instead of 16 input pixels, for
/// layers whose input channels are a multiple of 16 (the study's second convolution, 16 → 32).
///
/// Why: the pixel-lane kernel (``ConvKernels/inputGradientPair``) computes whole rows of the
/// row-padded layout, 16 lanes for the 14 pixels of a 14-wide row, and most of its gradient loads
/// straddle two cache lines. Here each weight vector is one aligned load of 16 channels, the
/// gradient values are broadcast, and every lane is a real input element.
///
/// Bitwise the same as the pixel-lane kernel: each input element is `0 + t₀ + t₁ + …` over the
/// taps in the same order, each `t` the FMA chain over output channels from +0 against the same
/// zero-padded gradient (only the operands of each product swap places, and FMA's product is exact).
extension ConvKernels {
    /// Pixels per register block: six pixels × 16 channels are 12 accumulator ymm on AVX2, plus a
    /// weight vector (2) and a broadcast (1): 15 of 16 registers.
    static let channelLanePixels = 6

    /// Forward for 16 output channels and the six output pixels whose tap-0 inputs are at
    /// `xp + positions[i]`: the FMA chain over the taps of `wt[r·16 + lane] · xp[position + offsets[r]]`,
    /// then `+ bias`, written to `out[i·ld ..< i·ld + 16]`.
    @inline(never)
    static func forward16x6(
        _ xp: UnsafePointer<Float>, positions: UnsafePointer<Int32>, offsets: UnsafePointer<Int32>, patch: Int,
        _ wt: UnsafePointer<Float>, bias: V?, _ out: UnsafeMutablePointer<Float>, ld: Int
    ) {
        let x0 = xp + Int(positions[0]), x1 = xp + Int(positions[1]), x2 = xp + Int(positions[2])
        let x3 = xp + Int(positions[3]), x4 = xp + Int(positions[4]), x5 = xp + Int(positions[5])
        var w = UnsafeRawPointer(wt)
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V()
        for r in 0..<patch {
            let o = Int(offsets[r])
            let v = w.loadUnaligned(as: V.self)
            a0 = a0.addingProduct(v, V(repeating: x0[o]))
            a1 = a1.addingProduct(v, V(repeating: x1[o]))
            a2 = a2.addingProduct(v, V(repeating: x2[o]))
            a3 = a3.addingProduct(v, V(repeating: x3[o]))
            a4 = a4.addingProduct(v, V(repeating: x4[o]))
            a5 = a5.addingProduct(v, V(repeating: x5[o]))
            w += 64
        }
        if let bias { a0 += bias; a1 += bias; a2 += bias; a3 += bias; a4 += bias; a5 += bias }
        store(a0, 0); store(a1, 1); store(a2, 2); store(a3, 3); store(a4, 4); store(a5, 5)
        @inline(__always) func store(_ a: V, _ i: Int) {
            UnsafeMutableRawPointer(out + i &* ld).storeBytes(of: a, as: V.self)
        }
    }

    /// For 16 input channels and the six pixels at `gp + positions[i]` (padded-gradient positions of
    /// each pixel's tap 0), over the taps: the chain over output channels of `wt[(j·out + o)·16 + lane]
    /// · G(o, position + tapOffsets[j])`, added onto `dx[i·ld ..< i·ld + 16]` (written, not added,
    /// for the first tap: `0 + t₀`).
    @inline(never)
    static func inputGradient16x6(
        _ gp: UnsafePointer<Float>, positions: UnsafePointer<Int32>, gradPlane: Int, outChannels: Int,
        tapOffsets: UnsafePointer<Int32>, taps: Int, _ wt: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>, ld: Int
    ) {
        let step = gradPlane &* 4
        for j in 0..<taps {
            let t = Int(tapOffsets[j])
            var g0 = UnsafeRawPointer(gp + (Int(positions[0]) &+ t)), g1 = UnsafeRawPointer(gp + (Int(positions[1]) &+ t))
            var g2 = UnsafeRawPointer(gp + (Int(positions[2]) &+ t)), g3 = UnsafeRawPointer(gp + (Int(positions[3]) &+ t))
            var g4 = UnsafeRawPointer(gp + (Int(positions[4]) &+ t)), g5 = UnsafeRawPointer(gp + (Int(positions[5]) &+ t))
            var w = UnsafeRawPointer(wt + j &* outChannels &* 16)
            var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V()
            for _ in 0..<outChannels {
                let v = w.loadUnaligned(as: V.self)
                a0 = a0.addingProduct(v, V(repeating: g0.load(as: Float.self)))
                a1 = a1.addingProduct(v, V(repeating: g1.load(as: Float.self)))
                a2 = a2.addingProduct(v, V(repeating: g2.load(as: Float.self)))
                a3 = a3.addingProduct(v, V(repeating: g3.load(as: Float.self)))
                a4 = a4.addingProduct(v, V(repeating: g4.load(as: Float.self)))
                a5 = a5.addingProduct(v, V(repeating: g5.load(as: Float.self)))
                w += 64
                g0 += step; g1 += step; g2 += step; g3 += step; g4 += step; g5 += step
            }
            add(a0, 0); add(a1, 1); add(a2, 2); add(a3, 3); add(a4, 4); add(a5, 5)
            @inline(__always) func add(_ chain: V, _ i: Int) {
                let p = UnsafeMutableRawPointer(dx + i &* ld)
                let sum = j == 0 ? V() : p.loadUnaligned(as: V.self)
                p.storeBytes(of: sum + chain, as: V.self)
            }
        }
    }
}

extension Conv2d {
    /// Whether ∂X takes the channel-lane kernel: whole vectors of input channels.
    var inputGradientInChannelLanes: Bool { inputShape.channels % ConvGeometry.lanes == 0 }

    /// The channel-lane ∂X's fixed tables: per input pixel (rounded up to whole blocks of six, the
    /// spare ones repeating the last pixel) its position in the padded gradient; and the weights
    /// as `[channel block][tap][out][16 lanes]`.
    func prepareChannelLaneInputGradient(_ g: ConvGeometry, _ ws: ConvWorkspace) -> UnsafeMutablePointer<Float> {
        let plane = g.height * g.width, block = ConvKernels.channelLanePixels
        let blocks = (plane + block - 1) / block
        if ws.inputPositions.count != blocks * block {
            ws.inputPositions = (0..<blocks * block).map { p in
                let q = min(p, plane - 1)
                return Int32((q / g.width) * g.gradWidth + q % g.width)
            }
        }
        let taps = g.kernel * g.kernel, out = g.outChannels, patch = g.patch
        let wt = ws.channelLaneWeights.take(g.inChannels * taps * out, zeroed: false)
        weight.value.withUnsafeBufferPointer { w in
            for ci in 0..<g.inChannels {
                let cb = ci / ConvGeometry.lanes, lane = ci % ConvGeometry.lanes
                for j in 0..<taps {
                    for o in 0..<out {
                        wt[((cb * taps + j) * out + o) * ConvGeometry.lanes + lane] = w[o * patch + ci * taps + j]
                    }
                }
            }
        }
        return wt
    }

    /// ∂X of one image from its padded gradient `gp` into `image` (NCHW), channel lanes; `scratch`
    /// holds `pixels(rounded) × 16` floats.
    func channelLaneInputGradient(_ g: ConvGeometry, _ ws: ConvWorkspace, gp: UnsafePointer<Float>,
                                  weights wt: UnsafePointer<Float>, tapOffsets: UnsafePointer<Int32>,
                                  scratch: UnsafeMutablePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let plane = g.height * g.width, block = ConvKernels.channelLanePixels, lanes = ConvGeometry.lanes
        let taps = g.kernel * g.kernel, out = g.outChannels
        let rounded = ws.inputPositions.count
        ws.inputPositions.withUnsafeBufferPointer { positions in
            for cb in 0..<(g.inChannels / lanes) {
                var p = 0
                while p < rounded {
                    ConvKernels.inputGradient16x6(gp, positions: positions.baseAddress! + p, gradPlane: g.gradPlane,
                                                  outChannels: out, tapOffsets: tapOffsets, taps: taps,
                                                  wt + cb * taps * out * lanes, scratch + p * lanes, ld: lanes)
                    p += block
                }
                // Pixel-major → the image's channel planes.
                let dst = image + cb * lanes * plane
                var q = 0
                while q + lanes <= plane {
                    nm_transpose16x16(scratch + q * lanes, lanes, dst + q, plane)
                    q += lanes
                }
                for r in q..<plane { for c in 0..<lanes { dst[c * plane + r] = scratch[r * lanes + c] } }
            }
        }
    }
}
