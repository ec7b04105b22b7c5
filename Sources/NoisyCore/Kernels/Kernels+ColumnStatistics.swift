/// Column reductions: sums (bias gradients), means and variances (BatchNorm, centring).
///
/// Every column reduction runs over the rows in order (row 0 first) with a `Double` accumulator
/// per column, vectorised across columns; the order is fixed, so results are bitwise reproducible,
/// and the `Double` accumulator keeps them accurate for tall matrices (10⁴–10⁵ rows) where a
/// `Float` running sum would lose digits.
extension Kernels {
    /// `Σ_r x[r, c]` as a `1 × cols` matrix. O(rows·cols).
    public static func columnSums(_ x: Matrix) -> Matrix {
        var out = Matrix(uninitializedRows: 1, cols: x.cols)
        let sums = columnSumsDouble(x, shift: nil)
        defer { sums.deallocate() }
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<x.cols { o[c] = Float(sums[c]) }
        }
        return out
    }

    /// `(1/rows) Σ_r x[r, c]` as a `1 × cols` matrix; `x` needs at least one row.
    public static func columnMeans(_ x: Matrix) -> Matrix {
        precondition(x.rows > 0, "columnMeans of a matrix with no rows (\(x.rows)×\(x.cols))")
        var out = Matrix(uninitializedRows: 1, cols: x.cols)
        let sums = columnSumsDouble(x, shift: nil)
        defer { sums.deallocate() }
        let n = Double(x.rows)
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<x.cols { o[c] = Float(sums[c] / n) }
        }
        return out
    }

    /// Column means and variances, two-pass: the mean first (in `Double`), then `Σ (x − mean)²`.
    ///
    /// `unbiased` divides by `rows − 1` (Bessel), otherwise by `rows`. Needs `rows ≥ 1`
    /// (`rows ≥ 2` when unbiased). Accuracy: the two-pass form with `Double` accumulation is
    /// exact to `Float` rounding even when the mean is 10⁴× the spread.
    public static func columnMeanAndVariance(_ x: Matrix, unbiased: Bool) -> (mean: Matrix, variance: Matrix) {
        precondition(x.rows >= (unbiased ? 2 : 1),
                     "columnMeanAndVariance(unbiased: \(unbiased)) needs more rows than \(x.rows) (matrix \(x.rows)×\(x.cols))")
        let cols = x.cols
        let n = Double(x.rows)
        let sums = columnSumsDouble(x, shift: nil)
        defer { sums.deallocate() }
        for c in 0..<cols { sums[c] /= n }
        let squares = columnSumsDouble(x, shift: UnsafePointer(sums))
        defer { squares.deallocate() }
        let divisor = unbiased ? n - 1 : n
        var mean = Matrix(uninitializedRows: 1, cols: cols)
        var variance = Matrix(uninitializedRows: 1, cols: cols)
        mean.withUnsafeMutableBufferPointer { m in
            for c in 0..<cols { m[c] = Float(sums[c]) }
        }
        variance.withUnsafeMutableBufferPointer { v in
            for c in 0..<cols { v[c] = Float(squares[c] / divisor) }
        }
        return (mean, variance)
    }

    /// Per-column `Σ_r x[r, c]` (no shift) or `Σ_r (x[r, c] − shift[c])²`, in `Double`.
    /// The caller deallocates the returned buffer of `cols` elements.
    static func columnSumsDouble(_ x: Matrix, shift: UnsafePointer<Double>?) -> UnsafeMutablePointer<Double> {
        let rows = x.rows, cols = x.cols
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(cols, 1))
        acc.initialize(repeating: 0, count: Swift.max(cols, 1))
        x.withUnsafeBufferPointer { xs in
            let base = xs.baseAddress!
            for r in 0..<rows {
                let row = base + r * cols
                var c = 0
                while c + 8 <= cols {
                    let raw = UnsafeMutableRawPointer(acc + c)
                    var v = SIMD8<Double>(UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self))
                    if let shift {
                        v -= UnsafeRawPointer(shift + c).loadUnaligned(as: SIMD8<Double>.self)
                        v *= v
                    }
                    raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Double>.self) + v, as: SIMD8<Double>.self)
                    c += 8
                }
                while c < cols {
                    var v = Double(row[c])
                    if let shift {
                        v -= shift[c]
                        v *= v
                    }
                    acc[c] += v
                    c += 1
                }
            }
        }
        return acc
    }
}
