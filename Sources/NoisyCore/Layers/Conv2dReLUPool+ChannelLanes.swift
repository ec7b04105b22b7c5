import CVectorMath

/// The forward pass of ``Conv2dReLUPool`` with the vector lanes over 16 output channels instead of
/// 16 output pixels, for convolutions whose output channels are a multiple of 16 (the study's
/// 16- and 32-channel layers).
///
/// Why: the pixel-lane kernel (``ConvKernels/forwardPair``) computes whole rows of the row-padded
/// layout (16 lanes for the 14 pixels of a 14-wide row) and most of its input loads straddle two
/// cache lines. Here each tap's weights are one aligned vector, the input values are broadcast,
/// and every lane is a real output. ReLU and pooling then work on whole channel vectors (a
/// window's four candidates are four loads; ``nm_relu_pool2x2_channels``), and the pooled values and winners are transposed into
/// the NCHW rows at the end.
///
/// Bitwise the same as the pixel-lane path: each output is the same FMA chain over the taps in the
/// same order from +0, then `+ bias` (only the operands of each product swap places, and FMA's
/// product is exact); ReLU, the pooling rule and the winners' indices are ``reluPool``'s, lane by lane.
extension Conv2dReLUPool {
    /// Whether forward takes the channel-lane kernels: output channels in whole vectors.
    var forwardInChannelLanes: Bool { conv.outputShape.channels % ConvGeometry.lanes == 0 }

    /// Forward of the batch `x` (at least one row) into `y` (pooled NCHW rows) and ``winners``,
    /// image by image: padding, the 16 × 6 kernel per channel block and pixel block, ReLU + pooling
    /// in C, and the transposes into NCHW. O(B·out·in·k²·H'W').
    func forwardChannelLanes(_ x: Matrix, into y: inout Matrix) {
        typealias V = SIMD16<Float>
        let g = conv.geometry, ws = conv.workspace, lanes = ConvGeometry.lanes
        let batch = x.rows, channels = g.outChannels, patch = g.patch, inputCount = conv.inputShape.count
        let outW = g.outWidth, plane = g.outHeight * outW, blocks = channels / lanes
        let block = ConvKernels.channelLanePixels, rounded = (plane + block - 1) / block * block
        let poolH = outputShape.height, poolW = outputShape.width
        let pooled = outputShape.count, pooledPlane = outputShape.planeSize
        if ws.forwardOffsets.count != patch { ws.forwardOffsets = g.forwardOffsets() }
        if ws.outputPositions.count != rounded {
            // Each output pixel's top-left tap in the padded image; the spare ones repeat the last.
            ws.outputPositions = (0..<rounded).map { p in
                let q = min(p, plane - 1)
                return Int32((q / outW) * g.paddedWidth + q % outW)
            }
        }
        // Weights as [channel block][tap][16 lanes].
        let wt = ws.channelLaneForwardWeights.take(channels * patch, zeroed: false)
        conv.weight.value.withUnsafeBufferPointer { w in
            for c in 0..<channels {
                for r in 0..<patch { wt[((c / lanes) * patch + r) * lanes + c % lanes] = w[c * patch + r] }
            }
        }
        let biases: [V]? = conv.bias.map { b in
            (0..<blocks).map { k in V((0..<lanes).map { b.value[0, k * lanes + $0] }) }
        }
        let xp = ws.paddedImage.take(g.forwardReach, zeroed: false)
        let convOut = imageOut.take(rounded * channels, zeroed: false)
        let pooledValues = pooledOut.take(2 * pooledPlane * channels, zeroed: false)
        let pooledWinners = UnsafeMutableRawPointer(pooledValues + pooledPlane * channels)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                winners.withUnsafeMutableBufferPointer { wins in
                    ws.forwardOffsets.withUnsafeBufferPointer { offsets in
                        ws.outputPositions.withUnsafeBufferPointer { positions in
                            for n in 0..<batch {
                                g.pad(xs.baseAddress! + n * inputCount, into: xp)
                                for k in 0..<blocks {
                                    var p = 0
                                    while p < rounded {
                                        ConvKernels.forward16x6(xp, positions: positions.baseAddress! + p, offsets: offsets.baseAddress!,
                                                                patch: patch, wt + k * patch * lanes, bias: biases?[k],
                                                                convOut + p * channels + k * lanes, ld: channels)
                                        p += block
                                    }
                                }
                                nm_relu_pool2x2_channels(convOut, channels, outW, poolH, poolW, pooledValues,
                                                         pooledWinners.assumingMemoryBound(to: Int32.self))
                                // Pixel-major → the NCHW rows (bits moved as they are, winners too).
                                let o = n * pooled
                                Self.planes(pooledValues, channels: channels, pixels: pooledPlane, into: ys.baseAddress! + o)
                                UnsafeMutableRawPointer(wins.baseAddress! + o).withMemoryRebound(to: Float.self, capacity: pooled) { w in
                                    Self.planes(UnsafePointer(pooledWinners.assumingMemoryBound(to: Float.self)), channels: channels,
                                                pixels: pooledPlane, into: w)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dst[c·pixels + p] = src[p·channels + c]`, 16 × 16 blocks through ``nm_transpose16x16``
    /// (`channels` is a multiple of 16), the last pixels scalar.
    static func planes(_ src: UnsafePointer<Float>, channels: Int, pixels: Int, into dst: UnsafeMutablePointer<Float>) {
        let lanes = ConvGeometry.lanes
        for c in stride(from: 0, to: channels, by: lanes) {
            var p = 0
            while p + lanes <= pixels {
                nm_transpose16x16(src + p * channels + c, channels, dst + c * pixels + p, pixels)
                p += lanes
            }
            for q in p..<pixels { for k in c..<(c + lanes) { dst[k * pixels + q] = src[q * channels + k] } }
        }
    }
}
