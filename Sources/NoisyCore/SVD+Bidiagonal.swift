/// Golub–Kahan reduction of a square column-major matrix to upper bidiagonal form, `R = Q_L·B·Pᵀ`.
///
/// `r` is N×N column-major (column `j` at `r + j·ld`, `ld % 16 == 0`, padding rows zero) and is
/// destroyed. Left reflector `k` acts on rows `k..<N`, right reflector `k` on columns `k+1..<N`;
/// both are kept as explicit zero-padded columns of `left` / `right` (N columns of `ld` floats)
/// so that forming `Q_L` and `P` later runs over aligned, contiguous memory. Eliminated rows and
/// columns are zeroed in `r`, which lets every update run from an aligned row without touching
/// finished entries. Cost `8N³/3` flops, level-2 (the trailing matrix stays in L2 for N ≤ 512).
struct SVDBidiagonalization {
    let n: Int
    let ld: Int
    /// Left reflectors: column `k` is zero above row `k`, 1 at row `k`.
    let left: UnsafeMutablePointer<Float>
    let leftTau: UnsafeMutablePointer<Float>
    /// Right reflectors: column `k` is zero up to row `k`, 1 at row `k+1`.
    let right: UnsafeMutablePointer<Float>
    let rightTau: UnsafeMutablePointer<Float>
    /// Scratch of `ld` floats.
    let work: UnsafeMutablePointer<Float>

    /// Reduces `r`, writing the diagonal to `d` (N) and the superdiagonal to `e` (N−1).
    func reduce(_ r: UnsafeMutablePointer<Float>, d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>) {
        left.update(repeating: 0, count: n * ld)
        right.update(repeating: 0, count: n * ld)
        for k in 0..<n {
            // Left reflector: zero column k below the diagonal.
            let column = r + k * ld
            let (dk, tl) = svdMakeReflector(column + k, stride: 1, count: n - k)
            d[k] = Double(dk)
            leftTau[k] = tl
            let vl = left + k * ld
            vl[k] = 1
            if k + 1 < n { (vl + k + 1).update(from: column + k + 1, count: n - k - 1) }
            column.update(repeating: 0, count: ld)
            let a = k & ~15
            if k + 1 < n {
                svdApplyReflector(tl, vl + a, r + (k + 1) * ld + a, ldy: ld, columns: n - k - 1, count: ld - a)
            }
            guard k + 1 < n else { rightTau[k] = 0; continue }
            // Right reflector: zero row k beyond the superdiagonal.
            let (ek, tr) = svdMakeReflector(r + (k + 1) * ld + k, stride: ld, count: n - k - 1)
            e[k] = Double(ek)
            rightTau[k] = tr
            let vr = right + k * ld
            vr[k + 1] = 1
            for j in (k + 2)..<max(n, k + 2) { vr[j] = r[j * ld + k] }
            for j in (k + 1)..<n { r[j * ld + k] = 0 }
            guard tr != 0 else { continue }
            // R[:, k+1..] ← R[:, k+1..]·(I − τ·u·uᵀ): w = Σⱼ uⱼ·colⱼ, then colⱼ −= τ·uⱼ·w.
            let b = (k + 1) & ~15
            let count = ld - b
            svdCombineColumns(vr + k + 1, r + (k + 1) * ld + b, ldx: ld, columns: n - k - 1, into: work + b, count: count)
            for j in (k + 1)..<n { svdAxpy(-tr * vr[j], work + b, r + j * ld + b, count) }
        }
    }

    /// Forms `Q_L` (N×N) column-major in `q` (column `i` = the i-th left basis vector, at `q + i·ld`),
    /// by backward accumulation. Cost `4N³/3` flops.
    func formLeft(_ q: UnsafeMutablePointer<Float>) {
        formProduct(q, vectors: left, tau: leftTau, shift: 0)
    }

    /// Forms `P` (N×N) column-major in `p`, as ``formLeft`` does for `Q_L`.
    func formRight(_ p: UnsafeMutablePointer<Float>) {
        formProduct(p, vectors: right, tau: rightTau, shift: 1)
    }

    private func formProduct(_ q: UnsafeMutablePointer<Float>, vectors: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>, shift: Int) {
        q.update(repeating: 0, count: n * ld)
        for i in 0..<n { q[i * ld + i] = 1 }
        // Q = H₀H₁…: apply from the last reflector, which touches only the trailing block.
        for k in stride(from: n - 1 - shift, through: 0, by: -1) {
            let first = k + shift
            let a = first & ~15
            svdApplyReflector(tau[k], vectors + k * ld + a, q + first * ld + a, ldy: ld, columns: n - first, count: ld - a)
        }
    }
}
