/// Implicit-shift QR iteration on an upper bidiagonal matrix (Golub–Kahan SVD step, Wilkinson
/// shift), the last stage of the SVD.
///
/// The bidiagonal (`d`, `e`) is iterated in Double: its absolute error, ~1e-16·σ₁, is far below what
/// the Float stages before it leave, so small singular values come out as accurate as the
/// reduction allows. The rotations of a sweep are recorded and then applied, as Float, to the rows
/// of `left` / `right` (row `i` = i-th left / right basis vector) while the *next* sweep's chain
/// runs: rotation `i` of one sweep is applied in iteration `i` of the next, so the vector updates
/// (throughput-bound) fill the wait of the Givens chain (latency-bound: two square roots and two
/// divisions per iteration) instead of following it. Every row still receives the same rotations,
/// in the same order, with the same arithmetic (``svdRotateRows``) as one pass per sweep did. Ends
/// with `d` holding the singular values, unsorted and possibly negative (signs are fixed by the
/// caller). Cost `O(N²)` for the values plus `~2·N²·width·6` flops for the vectors.
struct SVDBidiagonalQR {
    let n: Int
    let d: UnsafeMutablePointer<Double>
    let e: UnsafeMutablePointer<Double>
    let left: UnsafeMutablePointer<Float>?
    let right: UnsafeMutablePointer<Float>?
    /// Distance between rows of `left` / `right`.
    let ld: Int
    /// Floats per row to rotate (`% 16 == 0`).
    let width: Int
    /// Scratch of `8·n` floats: the rotations of two sweeps (the one running, the one deferred).
    let rotations: UnsafeMutablePointer<Float>
    /// Relative size below which an entry is set to zero (``SVDArithmetic/deflationTolerance``).
    let tolerance: Double

    /// The recorded rotations of the last sweep, not yet applied to the vectors.
    private struct Deferred {
        /// Row of the first rotation.
        var first = 0
        /// Rotations not yet applied start at `applied`, end at `count`.
        var applied = 0
        var count = 0
        /// Which half of `rotations` holds them (0 or 1).
        var slot = 0
    }

    /// Diagonalises the bidiagonal; throws ``SVDError/noConvergence`` after `6·N²` sweeps.
    func run() throws(SVDError) {
        guard n > 1 else { return }
        var norm = 0.0
        for i in 0..<n { norm = max(norm, abs(d[i])) }
        for i in 0..<(n - 1) { norm = max(norm, abs(e[i])) }
        // Entries are set to zero below `tolerance` relative to their neighbours, or below
        // `tiny` absolutely: perturbations of 1e-11 (arithmetic 1) or 1e-8 (2), below the 6e-8 of
        // the Float stages, that save about a fifth of the sweeps a tolerance of 2e-16 would need
        // (1e-8 some more).
        let tiny = tolerance * norm
        let maxSweeps = max(6 * n * n, 100)
        var sweeps = 0

        @inline(__always) func negligible(_ i: Int) -> Bool {
            abs(e[i]) <= tiny || abs(e[i]) <= tolerance * (abs(d[i]) + abs(d[i + 1]))
        }

        var deferred = Deferred()
        var q = n - 1
        while q > 0 {
            if negligible(q - 1) {
                e[q - 1] = 0
                q -= 1
                continue
            }
            var p = q - 1
            while p > 0 && !negligible(p - 1) { p -= 1 }
            if p > 0 { e[p - 1] = 0 }
            // A zero on the diagonal splits the block after one chase.
            if let i = (p...q).first(where: { abs(d[$0]) <= tiny }) {
                d[i] = 0
                flush(&deferred)
                if i < q { chaseRow(i, to: q) } else { chaseColumn(q, from: p) }
                continue
            }
            sweeps += 1
            if sweeps > maxSweeps { throw SVDError.noConvergence(size: n, sweeps: maxSweeps) }
            step(p, q, &deferred)
        }
        flush(&deferred)
    }

    /// Rotations `c`, `s` (right) and `lc`, `ls` (left) of the sweep in `slot`.
    @inline(__always)
    private func recorded(_ slot: Int) -> (rc: UnsafeMutablePointer<Float>, rs: UnsafeMutablePointer<Float>,
                                          lc: UnsafeMutablePointer<Float>, ls: UnsafeMutablePointer<Float>) {
        let base = rotations + slot * 4 * n
        return (base, base + n, base + 2 * n, base + 3 * n)
    }

    /// Applies the next deferred rotation to the rows of `right`, then of `left`.
    @inline(__always)
    private func applyNext(_ deferred: inout Deferred) {
        applyNextRight(deferred)
        applyNextLeft(&deferred)
    }

    /// Applies the next deferred rotation to the rows of `right` only.
    @inline(__always)
    private func applyNextRight(_ deferred: Deferred) {
        let i = deferred.applied, row = deferred.first + i
        let (rc, rs, _, _) = recorded(deferred.slot)
        if let right { svdRotateRows(right + row * ld, right + (row + 1) * ld, width: width, c: rc[i], s: rs[i]) }
    }

    /// Applies the next deferred rotation to the rows of `left`, and counts it as applied.
    @inline(__always)
    private func applyNextLeft(_ deferred: inout Deferred) {
        let i = deferred.applied, row = deferred.first + i
        let (_, _, lc, ls) = recorded(deferred.slot)
        if let left { svdRotateRows(left + row * ld, left + (row + 1) * ld, width: width, c: lc[i], s: ls[i]) }
        deferred.applied += 1
    }

    /// Applies every deferred rotation.
    private func flush(_ deferred: inout Deferred) {
        while deferred.applied < deferred.count { applyNext(&deferred) }
    }

    /// Givens rotation `(c, s, r)` with `c·y + s·z = r`, `−s·y + c·z = 0`.
    @inline(__always)
    private func givens(_ y: Double, _ z: Double) -> (Double, Double, Double) {
        if z == 0 { return (1, 0, y) }
        let r = (y * y + z * z).squareRoot()
        let inverse = 1 / r
        return (y * inverse, z * inverse, r)
    }

    /// One Golub–Kahan SVD step on the unreduced block `p...q`; applies the deferred rotations of
    /// the previous step as it goes, and leaves its own deferred.
    private func step(_ p: Int, _ q: Int, _ deferred: inout Deferred) {
        // Wilkinson shift: the eigenvalue of the trailing 2×2 of BᵀB nearer its last entry.
        let dm = d[q - 1], dn = d[q], em = e[q - 1]
        let el = q - 1 > p ? e[q - 2] : 0
        let t11 = dm * dm + el * el, t12 = dm * em, t22 = dn * dn + em * em
        let delta = (t11 - t22) / 2
        let root = (delta * delta + t12 * t12).squareRoot()
        let shift = t12 == 0 ? t22 : t22 - t12 * t12 / (delta + (delta >= 0 ? root : -root))
        var y = d[p] * d[p] - shift
        var z = d[p] * e[p]
        let count = q - p
        let slot = 1 - deferred.slot
        let (rc, rs, lc, ls) = recorded(slot)
        let vectors = left != nil || right != nil
        // The chain is latency-bound (two square roots and two divisions per k): keep the
        // running entries in registers rather than re-reading d and e.
        var dk = d[p], ek = e[p], dk1 = d[p + 1]
        for k in p..<q {
            // The previous sweep's rotation k − p, independent of this chain: the out-of-order
            // core runs it while the chain waits on its square roots and divisions. `right`'s
            // rows go ahead of the first Givens rotation, `left`'s ahead of the second, one
            // matrix per wait (measured: 7 % faster than both at the start, 10 % than both at
            // the end of the iteration).
            let pending = deferred.applied < deferred.count
            if pending { applyNextRight(deferred) }
            // Right rotation of columns k, k+1: zeros the bulge above the superdiagonal.
            let (c, s, r) = givens(y, z)
            if k > p { e[k - 1] = r }
            let dkRight = c * dk + s * ek
            let ekRight = -s * dk + c * ek
            let bulge = s * dk1
            let dk1Right = c * dk1
            rc[k - p] = Float(c); rs[k - p] = Float(s)
            if pending { applyNextLeft(&deferred) }
            // Left rotation of rows k, k+1: zeros the bulge below the diagonal.
            let (c2, s2, r2) = givens(dkRight, bulge)
            d[k] = r2
            let ekLeft = c2 * ekRight + s2 * dk1Right
            dk = -s2 * ekRight + c2 * dk1Right
            lc[k - p] = Float(c2); ls[k - p] = Float(s2)
            if k < q - 1 {
                let next = e[k + 1]
                y = ekLeft
                z = s2 * next
                ek = c2 * next
                dk1 = d[k + 2]
            }
            e[k] = ekLeft
        }
        d[q] = dk
        flush(&deferred)
        if vectors { deferred = Deferred(first: p, applied: 0, count: count, slot: slot) }
    }

    /// With `d[i] = 0` (`i < q`): zeros `e[i]` by left rotations of rows `(j, i)`, `j = i+1…q`.
    private func chaseRow(_ i: Int, to q: Int) {
        var f = e[i]
        e[i] = 0
        for j in (i + 1)...q {
            let (c, s, r) = givens(d[j], f)
            d[j] = r
            if j < q {
                f = -s * e[j]
                e[j] = c * e[j]
            }
            if let left { svdRotateRows(left + j * ld, left + i * ld, width: width, c: Float(c), s: Float(s)) }
        }
    }

    /// With `d[q] = 0`: zeros `e[q−1]` by right rotations of columns `(j, q)`, `j = q−1…p`.
    private func chaseColumn(_ q: Int, from p: Int) {
        var f = e[q - 1]
        e[q - 1] = 0
        for j in stride(from: q - 1, through: p, by: -1) {
            let (c, s, r) = givens(d[j], f)
            d[j] = r
            if j > p {
                f = -s * e[j - 1]
                e[j - 1] = c * e[j - 1]
            }
            if let right { svdRotateRows(right + j * ld, right + q * ld, width: width, c: Float(c), s: Float(s)) }
        }
    }
}
