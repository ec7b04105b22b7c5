import Foundation

/// Row-wise softmax and log-softmax, numerically stable (the row maximum is subtracted first).
extension Kernels {
    /// `softmax(x)` of every row, as a new matrix. O(rows·cols).
    ///
    /// Stable for any finite logits (e.g. ±1e38): after subtracting the row maximum every exponent
    /// is ≤ 0, so no `exp` overflows and the denominator is ≥ 1. A row containing `+infinity` or
    /// NaN gives NaNs, as in PyTorch.
    public static func softmaxRows(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, cols: x.cols)
        let cols = x.cols
        guard cols > 0 else { return out }
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                for r in 0..<x.rows {
                    let src = xs.baseAddress! + r * cols, dst = os.baseAddress! + r * cols
                    let total = exponentiateShifted(src, into: dst, count: cols)
                    let d = SIMD16<Float>(repeating: total)
                    var i = 0
                    while i + 16 <= cols {
                        store16(load16(dst + i) / d, dst + i)
                        i += 16
                    }
                    while i < cols {
                        dst[i] /= total
                        i += 1
                    }
                }
            }
        }
        return out
    }

    /// `log(softmax(x))` of every row, computed as `x − max − log Σ exp(x − max)`, as a new matrix.
    ///
    /// Finite for any finite logits: the result is never `-infinity` unless a logit differs from
    /// the row maximum by more than about 1e38.
    public static func logSoftmaxRows(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, cols: x.cols)
        let cols = x.cols
        guard cols > 0 else { return out }
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                for r in 0..<x.rows {
                    let src = xs.baseAddress! + r * cols, dst = os.baseAddress! + r * cols
                    let m = maximum(src, count: cols)
                    let logTotal = Foundation.log(exponentiateShifted(src, into: dst, count: cols))
                    // (x − m) − log Σ: the subtraction of m first keeps the difference exact-ish.
                    for i in 0..<cols { dst[i] = (src[i] - m) - logTotal }
                }
            }
        }
        return out
    }

    /// `log Σ_c exp(x[r, c])` of row `r` at `src`, stable; also used by the cross-entropy loss.
    public static func logSumExp(_ src: UnsafePointer<Float>, count: Int) -> Float {
        let m = maximum(src, count: count)
        guard m.isFinite else { return m }
        // Scalar `exp` (libm), summed in the same fixed order as ``sum(_:count:)``; classifier
        // rows are short (C ≤ a few hundred), so this is not a hot spot.
        var partial = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            var v = SIMD16<Float>()
            for lane in 0..<16 { v[lane] = Foundation.exp(src[i + lane] - m) }
            partial += v
            i += 16
        }
        var total = treeSum(partial)
        while i < count {
            total += Foundation.exp(src[i] - m)
            i += 1
        }
        return m + Foundation.log(total)
    }

    /// Writes `exp(src[i] − max)` to `dst` and returns their sum (fixed order).
    static func exponentiateShifted(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let m = maximum(src, count: count)
        for i in 0..<count { dst[i] = Foundation.exp(src[i] - m) }
        return sum(dst, count: count)
    }
}
