/// Matrix-level elementwise kernels: axpy, scale, add, multiply, row-broadcast bias, ReLU.
extension Kernels {
    /// `y += alpha · x` elementwise; shapes must match. O(count).
    public static func axpy(_ alpha: Float, _ x: Matrix, _ y: inout Matrix) {
        precondition(x.rows == y.rows && x.cols == y.cols, "axpy: x is \(x.rows)×\(x.cols) but y is \(y.rows)×\(y.cols)")
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                axpy(alpha, xs.baseAddress!, ys.baseAddress!, count: xs.count)
            }
        }
    }

    /// `x *= alpha` elementwise.
    public static func scale(_ x: inout Matrix, by alpha: Float) {
        x.withUnsafeMutableBufferPointer { xs in scale(xs.baseAddress!, by: alpha, count: xs.count) }
    }

    /// `a + b` elementwise, as a new matrix; shapes must match.
    public static func add(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "add: \(a.rows)×\(a.cols) vs \(b.rows)×\(b.cols)")
        var out = Matrix(uninitializedRows: a.rows, cols: a.cols)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    add(pa.baseAddress!, pb.baseAddress!, into: po.baseAddress!, count: po.count)
                }
            }
        }
        return out
    }

    /// `a ⊙ b` (Hadamard product), as a new matrix; shapes must match.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "multiply: \(a.rows)×\(a.cols) vs \(b.rows)×\(b.cols)")
        var out = Matrix(uninitializedRows: a.rows, cols: a.cols)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    multiply(pa.baseAddress!, pb.baseAddress!, into: po.baseAddress!, count: po.count)
                }
            }
        }
        return out
    }

    /// `x[r, c] += vector[0, c]` for every row `r` (bias add); `vector` is `1 × x.cols`.
    public static func addRowVector(_ vector: Matrix, to x: inout Matrix) {
        precondition(vector.rows == 1 && vector.cols == x.cols,
                     "addRowVector: vector is \(vector.rows)×\(vector.cols), needs 1×\(x.cols)")
        let rows = x.rows, cols = x.cols
        vector.withUnsafeBufferPointer { v in
            x.withUnsafeMutableBufferPointer { xs in
                for r in 0..<rows {
                    let row = xs.baseAddress! + r * cols
                    add(row, v.baseAddress!, into: row, count: cols)
                }
            }
        }
    }

    /// `x[r, c] *= vector[0, c]` for every row `r`; `vector` is `1 × x.cols`.
    public static func multiplyRowVector(_ vector: Matrix, into x: inout Matrix) {
        precondition(vector.rows == 1 && vector.cols == x.cols,
                     "multiplyRowVector: vector is \(vector.rows)×\(vector.cols), needs 1×\(x.cols)")
        let rows = x.rows, cols = x.cols
        vector.withUnsafeBufferPointer { v in
            x.withUnsafeMutableBufferPointer { xs in
                for r in 0..<rows {
                    let row = xs.baseAddress! + r * cols
                    multiply(row, v.baseAddress!, into: row, count: cols)
                }
            }
        }
    }

    /// `x[r, c] + vector[0, c]` as a new matrix: ``addRowVector(_:to:)`` without the copy of `x`
    /// (same arithmetic, same bits).
    public static func addingRowVector(_ vector: Matrix, to x: Matrix) -> Matrix {
        rowVectorOperation(vector, x, "addingRowVector") { a, b, out, n in add(a, b, into: out, count: n) }
    }

    /// `x[r, c] · vector[0, c]` as a new matrix: ``multiplyRowVector(_:into:)`` without the copy
    /// of `x` (same arithmetic, same bits).
    public static func multiplyingRowVector(_ vector: Matrix, into x: Matrix) -> Matrix {
        rowVectorOperation(vector, x, "multiplyingRowVector") { a, b, out, n in multiply(a, b, into: out, count: n) }
    }

    /// `operation(row r of x, vector)` written into row r of a new matrix, for every row.
    @inline(__always)
    private static func rowVectorOperation(
        _ vector: Matrix, _ x: Matrix, _ name: String,
        _ operation: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Matrix {
        precondition(vector.rows == 1 && vector.cols == x.cols,
                     "\(name): vector is \(vector.rows)×\(vector.cols), needs 1×\(x.cols)")
        let rows = x.rows, cols = x.cols
        var out = Matrix(uninitializedRows: rows, cols: cols)
        vector.withUnsafeBufferPointer { v in
            x.withUnsafeBufferPointer { xs in
                out.withUnsafeMutableBufferPointer { os in
                    for r in 0..<rows { operation(xs.baseAddress! + r * cols, v.baseAddress!, os.baseAddress! + r * cols, cols) }
                }
            }
        }
        return out
    }

    /// `max(x, 0)` elementwise (ReLU), as a new matrix. NaN stays NaN, as in PyTorch.
    public static func relu(_ x: Matrix) -> Matrix {
        var out = Matrix(uninitializedRows: x.rows, cols: x.cols)
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                let p = xs.baseAddress!, o = os.baseAddress!, n = xs.count
                let zero = SIMD16<Float>()
                var i = 0
                while i + 16 <= n {
                    let v = load16(p + i)
                    // `v .< 0` is false for NaN, so NaN propagates.
                    store16(v.replacing(with: zero, where: v .< zero), o + i)
                    i += 16
                }
                while i < n {
                    o[i] = p[i] < 0 ? 0 : p[i]
                    i += 1
                }
            }
        }
        return out
    }

    /// The ReLU input gradient: `gradOutput` where `input > 0`, else 0 (PyTorch's choice at 0).
    public static func reluBackward(_ gradOutput: Matrix, input: Matrix) -> Matrix {
        precondition(gradOutput.rows == input.rows && gradOutput.cols == input.cols,
                     "reluBackward: gradient \(gradOutput.rows)×\(gradOutput.cols) vs input \(input.rows)×\(input.cols)")
        var out = Matrix(uninitializedRows: input.rows, cols: input.cols)
        gradOutput.withUnsafeBufferPointer { gs in
            input.withUnsafeBufferPointer { xs in
                out.withUnsafeMutableBufferPointer { os in
                    let g = gs.baseAddress!, x = xs.baseAddress!, o = os.baseAddress!, n = xs.count
                    let zero = SIMD16<Float>()
                    var i = 0
                    while i + 16 <= n {
                        store16(zero.replacing(with: load16(g + i), where: load16(x + i) .> zero), o + i)
                        i += 16
                    }
                    while i < n {
                        o[i] = x[i] > 0 ? g[i] : 0
                        i += 1
                    }
                }
            }
        }
        return out
    }
}
