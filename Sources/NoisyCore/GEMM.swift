/// Whether GEMM reads an operand as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// General matrix multiply: `C = alpha · op(A) · op(B) + beta · C`, single-threaded.
///
/// `op(X)` is `X` or `Xᵀ` per `transA` / `transB`. Shapes: `op(A)` is M×K, `op(B)` is K×N, `C` is M×N.
/// When `beta == 0`, `C` is not read (NaNs in it do not propagate), as in BLAS.
/// Any shape works, including empty ones and 1×1.
///
/// - Note: placeholder reference implementation; replaced by the packed SIMD kernel.
public func gemm(
    _ transA: Transpose, _ transB: Transpose,
    alpha: Float, _ a: MatrixView, _ b: MatrixView,
    beta: Float, _ c: MutableMatrixView
) {
    let m = transA == .none ? a.rows : a.cols
    let k = transA == .none ? a.cols : a.rows
    let kb = transB == .none ? b.rows : b.cols
    let n = transB == .none ? b.cols : b.rows
    precondition(k == kb && c.rows == m && c.cols == n,
                 "gemm shapes: op(A) \(m)×\(k), op(B) \(kb)×\(n), C \(c.rows)×\(c.cols)")
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let x = transA == .none ? a[i, p] : a[p, i]
                let y = transB == .none ? b[p, j] : b[j, p]
                sum += x * y
            }
            c[i, j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i, j]
        }
    }
}

extension Matrix {
    /// `op(a) · op(b)` as a new matrix.
    public static func multiply(_ a: Matrix, _ b: Matrix, transA: Transpose = .none, transB: Transpose = .none) -> Matrix {
        let m = transA == .none ? a.rows : a.cols
        let n = transB == .none ? b.cols : b.rows
        var c = Matrix(rows: m, cols: n)
        a.withView { av in
            b.withView { bv in
                c.withMutableView { cv in gemm(transA, transB, alpha: 1, av, bv, beta: 0, cv) }
            }
        }
        return c
    }
}
