/// Blocked Householder QR of a tall column-major matrix: the first stage of the SVD.
///
/// The matrix `B` (M×N, M ≥ N) is stored column-major: column `j` is the contiguous run
/// `b + j·ld`, `ld % 16 == 0`, rows `M..<ld` zero. That layout makes every Householder operation a
/// dot product or an AXPY over contiguous memory. Reflectors are grouped in panels of 8 and applied
/// to the trailing columns in compact-WY form (``svdApplyBlockReflector``), column by column, so
/// each trailing column is loaded once per panel instead of once per reflector.
///
/// After ``factor``: `R` is the upper triangle of `B`; reflector `k` is `v = (1, b[k+1..<M, k])`
/// with factor `tau[k]`; `tBlocks[64·p ..< 64·(p+1)]` is the T factor of panel `p`.
/// Cost `2MN² − 2N³/3` flops.
struct SVDHouseholderQR {
    let b: UnsafeMutablePointer<Float>
    let ld: Int
    let m: Int
    let n: Int
    /// `panelCount·8` entries; zero beyond `n`.
    let tau: UnsafeMutablePointer<Float>
    /// 64 floats per panel.
    let tBlocks: UnsafeMutablePointer<Float>
    /// Scratch for one panel: 8 columns of `ld` floats.
    let panel: UnsafeMutablePointer<Float>

    static let panelWidth = 8

    var panelCount: Int { (n + Self.panelWidth - 1) / Self.panelWidth }

    /// Floats of scratch `tau`, `tBlocks` and `panel` need for an M×N problem with leading dimension `ld`.
    static func scratchCount(n: Int, ld: Int) -> (tau: Int, tBlocks: Int, panel: Int) {
        let panels = (n + panelWidth - 1) / panelWidth
        return (panels * panelWidth, panels * 64, panelWidth * ld)
    }

    /// Fills `panel` with the reflectors of the panel starting at column `k0`, as explicit
    /// columns over rows `a0..<ld` (`a0 = k0` rounded down to 16): zeros above the unit diagonal.
    /// Returns `a0`.
    @discardableResult
    func loadPanel(_ k0: Int) -> Int {
        let a0 = k0 & ~15
        let count = ld - a0
        panel.update(repeating: 0, count: Self.panelWidth * count)
        for c in 0..<Self.panelWidth where k0 + c < n {
            let k = k0 + c
            let column = panel + c * count
            column[k - a0] = 1
            if k + 1 < m { (column + (k + 1 - a0)).update(from: b + k * ld + k + 1, count: m - k - 1) }
        }
        return a0
    }

    /// Factors `B = Q·R` in place.
    func factor() {
        tau.update(repeating: 0, count: panelCount * Self.panelWidth)
        for p in 0..<panelCount {
            let k0 = p * Self.panelWidth
            let kEnd = min(k0 + Self.panelWidth, n)
            let a0 = k0 & ~15
            let count = ld - a0
            panel.update(repeating: 0, count: Self.panelWidth * count)
            // Unblocked factorisation of the panel's own columns.
            for k in k0..<kEnd {
                let column = b + k * ld
                let (beta, t) = svdMakeReflector(column + k, stride: 1, count: m - k)
                tau[k] = t
                let v = panel + (k - k0) * count
                v[k - a0] = 1
                if k + 1 < m { (v + (k + 1 - a0)).update(from: column + k + 1, count: m - k - 1) }
                column[k] = beta
                if k + 1 < kEnd {
                    svdApplyReflector(t, v, b + (k + 1) * ld + a0, ldy: ld, columns: kEnd - k - 1, count: count)
                }
            }
            let t = tBlocks + 64 * p
            svdBuildT(v: panel, ldv: count, count: count, tau: tau + k0, t: t)
            if kEnd < n {
                svdApplyBlockReflector(
                    v: panel, ldv: count, t: t, transposeT: true,
                    y: b + kEnd * ld + a0, ldy: ld, columns: n - kEnd, count: count)
            }
        }
    }

    /// `Y ← Q·Y` for `columns` column vectors `y + j·ldy` of `ld` rows each (Q = H₀H₁…H_{N−1}).
    func applyQ(to y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int) {
        for p in stride(from: panelCount - 1, through: 0, by: -1) {
            let a0 = loadPanel(p * Self.panelWidth)
            svdApplyBlockReflector(
                v: panel, ldv: ld - a0, t: tBlocks + 64 * p, transposeT: false,
                y: y + a0, ldy: ldy, columns: columns, count: ld - a0)
        }
    }
}
