/// Row-wise L2 normalisation and its backward pass (PyTorch's `F.normalize(x, dim=1)`).
extension Kernels {
    /// PyTorch's default `eps` of `F.normalize`.
    public static let defaultNormalizationEpsilon: Float = 1e-12

    /// Each row divided by `max(‖row‖₂, epsilon)`, as a new matrix. O(rows·cols).
    ///
    /// A zero row stays zero (finite), as in PyTorch. The norm is `sqrt(Σ x²)` in `Float`, so a row
    /// with entries above ~1e19 overflows; features never get near that.
    public static func l2NormalizeRows(_ x: Matrix, epsilon: Float = defaultNormalizationEpsilon) -> Matrix {
        var out = Matrix(rows: x.rows, cols: x.cols)
        let cols = x.cols
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                for r in 0..<x.rows {
                    let src = xs.baseAddress! + r * cols, dst = os.baseAddress! + r * cols
                    let norm = dot(src, src, count: cols).squareRoot()
                    let d = SIMD16<Float>(repeating: Swift.max(norm, epsilon))
                    var i = 0
                    while i + 16 <= cols {
                        store16(load16(src + i) / d, dst + i)
                        i += 16
                    }
                    while i < cols {
                        dst[i] = src[i] / d[0]
                        i += 1
                    }
                }
            }
        }
        return out
    }

    /// The input gradient of ``l2NormalizeRows(_:epsilon:)``. O(rows·cols).
    ///
    /// With `n = ‖x‖` and `y = x / n`: for `n > epsilon`, `dx = (g − y·(y·g)) / n`; otherwise the
    /// denominator is the constant `epsilon` and `dx = g / epsilon` (PyTorch's clamp gradient).
    public static func l2NormalizeRowsBackward(_ gradOutput: Matrix, input x: Matrix, epsilon: Float = defaultNormalizationEpsilon) -> Matrix {
        precondition(gradOutput.rows == x.rows && gradOutput.cols == x.cols,
                     "l2NormalizeRowsBackward: gradient \(gradOutput.rows)×\(gradOutput.cols) vs input \(x.rows)×\(x.cols)")
        var out = Matrix(rows: x.rows, cols: x.cols)
        let cols = x.cols
        x.withUnsafeBufferPointer { xs in
            gradOutput.withUnsafeBufferPointer { gs in
                out.withUnsafeMutableBufferPointer { os in
                    for r in 0..<x.rows {
                        let src = xs.baseAddress! + r * cols, g = gs.baseAddress! + r * cols
                        let dst = os.baseAddress! + r * cols
                        let norm = dot(src, src, count: cols).squareRoot()
                        if norm > epsilon {
                            // y·g = (x·g)/n; dx = g/n − x·(x·g)/n³.
                            let invNorm = 1 / norm
                            let coefficient = dot(src, g, count: cols) * invNorm * invNorm * invNorm
                            let a = SIMD16<Float>(repeating: invNorm), b = SIMD16<Float>(repeating: coefficient)
                            var i = 0
                            while i + 16 <= cols {
                                store16(load16(g + i) * a - load16(src + i) * b, dst + i)
                                i += 16
                            }
                            while i < cols {
                                dst[i] = g[i] * invNorm - src[i] * coefficient
                                i += 1
                            }
                        } else {
                            let inv = 1 / epsilon
                            for i in 0..<cols { dst[i] = g[i] * inv }
                        }
                    }
                }
            }
        }
        return out
    }
}
