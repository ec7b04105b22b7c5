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

    /// `Σ_r a[r, c]·b[r, c]` as a `1 × cols` matrix, each product rounded to `Float` first: the
    /// same bits as `columnSums(multiply(a, b))` without the product matrix. O(rows·cols).
    public static func columnSumsOfProducts(_ a: Matrix, _ b: Matrix) -> Matrix {
        var out = Matrix(uninitializedRows: 1, cols: a.cols)
        let sums = columnSumsDouble(a, shift: nil, factor: b)
        defer { sums.deallocate() }
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<a.cols { o[c] = Float(sums[c]) }
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

    /// Per-column `Σ_r x[r, c]` (no shift) or `Σ_r (x[r, c] − shift[c])²`, in `Double`; with
    /// `factor`, of the `Float` products `x[r, c]·factor[r, c]` instead (same shape as `x`).
    /// The caller deallocates the returned buffer of `cols` elements.
    ///
    /// Blocks of 32 columns keep their four `SIMD8<Double>` accumulators in registers while the
    /// rows stream past; every column still adds its rows in order, from row 0, so the sums are
    /// the ones a row-by-row loop gives, bit for bit.
    static func columnSumsDouble(_ x: Matrix, shift: UnsafePointer<Double>?, factor: Matrix? = nil) -> UnsafeMutablePointer<Double> {
        let rows = x.rows, cols = x.cols
        if let factor {
            precondition(factor.rows == rows && factor.cols == cols,
                         "columnSums: factor is \(factor.rows)×\(factor.cols), needs \(rows)×\(cols)")
        }
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(cols, 1))
        acc.initialize(repeating: 0, count: Swift.max(cols, 1))
        x.withUnsafeBufferPointer { xs in
            (factor ?? x).withUnsafeBufferPointer { fs in
                let base = xs.baseAddress!, factorBase = factor == nil ? nil : fs.baseAddress!
                @inline(__always) func term(_ r: Int, _ c: Int) -> SIMD8<Double> {
                    var f = UnsafeRawPointer(base + r * cols + c).loadUnaligned(as: SIMD8<Float>.self)
                    if let factorBase { f *= UnsafeRawPointer(factorBase + r * cols + c).loadUnaligned(as: SIMD8<Float>.self) }
                    var v = SIMD8<Double>(f)
                    if let shift {
                        v -= UnsafeRawPointer(shift + c).loadUnaligned(as: SIMD8<Double>.self)
                        v *= v
                    }
                    return v
                }
                var c = 0
                while c + 32 <= cols {
                    var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>(), a3 = SIMD8<Double>()
                    for r in 0..<rows {
                        a0 += term(r, c)
                        a1 += term(r, c + 8)
                        a2 += term(r, c + 16)
                        a3 += term(r, c + 24)
                    }
                    let out = UnsafeMutableRawPointer(acc + c)
                    out.storeBytes(of: a0, as: SIMD8<Double>.self)
                    out.storeBytes(of: a1, toByteOffset: 64, as: SIMD8<Double>.self)
                    out.storeBytes(of: a2, toByteOffset: 128, as: SIMD8<Double>.self)
                    out.storeBytes(of: a3, toByteOffset: 192, as: SIMD8<Double>.self)
                    c += 32
                }
                while c + 8 <= cols {
                    var a = SIMD8<Double>()
                    for r in 0..<rows { a += term(r, c) }
                    UnsafeMutableRawPointer(acc + c).storeBytes(of: a, as: SIMD8<Double>.self)
                    c += 8
                }
                for column in c..<cols {
                    var sum = 0.0
                    for r in 0..<rows {
                        var f = base[r * cols + column]
                        if let factorBase { f *= factorBase[r * cols + column] }
                        var v = Double(f)
                        if let shift {
                            v -= shift[column]
                            v *= v
                        }
                        sum += v
                    }
                    acc[column] = sum
                }
            }
        }
        return acc
    }
}
