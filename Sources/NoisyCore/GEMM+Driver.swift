/// The blocked loop nest of ``gemm`` (see ``GEMMBlocking`` for the order and the reasons).
///
/// Preconditions (checked by `gemm`): shapes agree, m, n, k > 0.
@inline(never)
func gemmBlocked(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Float, _ a: MatrixView, _ b: MatrixView, beta: Float, _ c: MutableMatrixView
) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    let scratch = GEMMScratch.current()
    let packedA = scratch.bindMemory(to: Float.self, capacity: GEMMScratch.packedABytes / 4)
    let packedB = (scratch + GEMMScratch.packedABytes)
        .bindMemory(to: Float.self, capacity: GEMMScratch.packedBBytes / 4)
    let tile = (scratch + GEMMScratch.packedABytes + GEMMScratch.packedBBytes)
        .bindMemory(to: Float.self, capacity: mr * nr)
    let ldc = c.stride

    var jc = 0
    while jc < n {
        let nc = min(GEMMBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(GEMMBlocking.kc, k - pc)
            // Later k blocks accumulate onto what the first one wrote.
            let betaBlock: Float = pc == 0 ? beta : 1
            GEMMPacking.packB(transB, b, row0: pc, col0: jc, kc: kc, nc: nc, into: packedB)
            var ic = 0
            while ic < m {
                let mc = min(GEMMBlocking.mc, m - ic)
                GEMMPacking.packA(transA, a, row0: ic, col0: pc, mc: mc, kc: kc, into: packedA)
                var ir = 0
                while ir < mc {
                    let rows = min(mr, mc - ir)
                    let panelA = packedA + ir * kc
                    let cRow = c.base + (ic + ir) * ldc + jc
                    var jr = 0
                    while jr < nc {
                        let cols = min(nr, nc - jr)
                        let panelB = packedB + jr * kc
                        if rows == mr && cols == nr {
                            gemmMicroKernel(kc, panelA, panelB, cRow + jr, ldc, alpha, betaBlock)
                        } else {
                            gemmMicroKernel(kc, panelA, panelB, tile, nr, 1, 0)
                            gemmMergeTile(tile, into: cRow + jr, ldc: ldc, rows: rows, cols: cols,
                                          alpha: alpha, beta: betaBlock)
                        }
                        jr += nr
                    }
                    ir += mr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// Writes the valid `rows × cols` corner of an edge tile into C with the same arithmetic as the
/// micro-kernel's write-back (`alpha · t`, then one FMA with `beta · c`), so an element's value does
/// not depend on whether it fell into a full or an edge tile.
@inline(__always)
func gemmMergeTile(
    _ tile: UnsafeMutablePointer<Float>, into c: UnsafeMutablePointer<Float>, ldc: Int,
    rows: Int, cols: Int, alpha: Float, beta: Float
) {
    let nr = GEMMBlocking.nr
    if cols == nr {
        // Whole rows (the bottom tiles of an M that is not a multiple of 6): the same lane-wise
        // operations as the scalar loop below, one vector per row.
        let va = SIMD16<Float>(repeating: alpha), vb = SIMD16<Float>(repeating: beta)
        for i in 0..<rows {
            let t = load16(tile + i * nr), row = c + i * ldc
            store16(beta == 0 ? va * t : (va * t).addingProduct(vb, load16(row)), row)
        }
        return
    }
    for i in 0..<rows {
        let t = tile + i * nr
        let row = c + i * ldc
        if beta == 0 {
            for j in 0..<cols { row[j] = alpha * t[j] }
        } else {
            for j in 0..<cols { row[j] = (alpha * t[j]).addingProduct(beta, row[j]) }
        }
    }
}
