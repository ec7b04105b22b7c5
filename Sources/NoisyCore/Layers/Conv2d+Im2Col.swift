/// `im2col` and its adjoint for ``Conv2d`` (stride 1, zero padding).
///
/// Row `r = (c·k + ki)·k + kj` of the column matrix holds, for every output pixel `(oy, ox)`, the
/// input value at `(c, oy + ki − p, ox + kj − p)` or 0 outside the image. For a fixed `(r, oy)` the
/// valid `ox` form one contiguous run, so both directions copy / add whole runs with SIMD.
/// `rowStride` (elements between rows of the column matrix, ≥ H'W') lets several images sit side
/// by side in one column matrix (image j at column offset j·H'W'), so a chunk of the batch is one GEMM.
extension Conv2d {
    /// Fills one image's `in·k·k × H'W'` block of a column matrix at `columns` from the image at `image`.
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, rowStride: Int) {
        let k = kernelSize, p = padding
        let h = inputShape.height, w = inputShape.width
        let outH = outputShape.height, outW = outputShape.width
        for c in 0..<inputShape.channels {
            let channel = image + c * h * w
            for ki in 0..<k {
                for kj in 0..<k {
                    let rowBase = columns + ((c * k + ki) * k + kj) * rowStride
                    let lo = max(0, p - kj), hi = min(outW, w + p - kj)
                    for oy in 0..<outH {
                        let dst = rowBase + oy * outW
                        let iy = oy + ki - p
                        guard iy >= 0 && iy < h && lo < hi else {
                            dst.update(repeating: 0, count: outW)
                            continue
                        }
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        dst.advanced(by: lo).update(from: channel + iy * w + (lo + kj - p), count: hi - lo)
                        if hi < outW { dst.advanced(by: hi).update(repeating: 0, count: outW - hi) }
                    }
                }
            }
        }
    }

    /// Adds the column-matrix gradient back onto one image's gradient at `image` (the adjoint of
    /// ``im2col(_:into:)``), in a fixed order.
    func col2imAdd(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>, rowStride: Int) {
        let k = kernelSize, p = padding
        let h = inputShape.height, w = inputShape.width
        let outH = outputShape.height, outW = outputShape.width
        for c in 0..<inputShape.channels {
            let channel = image + c * h * w
            for ki in 0..<k {
                for kj in 0..<k {
                    let rowBase = columns + ((c * k + ki) * k + kj) * rowStride
                    let lo = max(0, p - kj), hi = min(outW, w + p - kj)
                    guard lo < hi else { continue }
                    for oy in 0..<outH {
                        let iy = oy + ki - p
                        guard iy >= 0 && iy < h else { continue }
                        let dst = channel + iy * w + (lo + kj - p)
                        Kernels.add(dst, rowBase + oy * outW + lo, into: dst, count: hi - lo)
                    }
                }
            }
        }
    }
}
