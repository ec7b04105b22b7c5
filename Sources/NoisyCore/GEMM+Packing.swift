/// Packing of A and B blocks into the contiguous, zero-padded micro-panels the micro-kernel reads.
///
/// Transposes are resolved here, so there is one micro-kernel. Packing is O(rows·cols) per block
/// against O(m·n·k) arithmetic, but for the small shapes of training (m = 64) it is a visible share,
/// so every path moves whole vectors: plain copies where the source runs along the panel, SIMD
/// transposes (``gemmTranspose6x8``, ``gemmTranspose16x16``) where it runs across. Scalar strided
/// loops are avoided on purpose: LLVM turns them into `vscatterdps`, which is slow on Zen 4.
/// Zero padding makes edge tiles ordinary tiles for the kernel.
///
/// Written for the 6×16 micro-tile (`GEMMBlocking.mr == 6`, `GEMMBlocking.nr == 16`).
enum GEMMPacking {
    /// Packs `op(A)[row0 ..< row0+mc, col0 ..< col0+kc]` into 6-row micro-panels.
    ///
    /// Layout: panel `q` (rows `6q ..< 6q+6`) starts at `dst + 6q·kc` and holds, for each k step `p`,
    /// the 6 values `op(A)[row0 + 6q + i, col0 + p]` contiguously; rows past `mc` are zeros.
    @inline(__always)
    static func packA(
        _ trans: Transpose, _ a: MatrixView, row0: Int, col0: Int, mc: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let mr = 6
        let lda = a.stride
        var ir = 0
        while ir < mc {
            let rows = min(mr, mc - ir)
            let panel = dst + ir * kc
            let src = a.base + (trans == .none ? (row0 + ir) * lda + col0 : col0 * lda + row0 + ir)
            if trans == .none {
                // op(A)[i, p] = a[i, p]: rows of A run along k; the panel wants them across.
                var p = 0
                if rows == mr {
                    // The transpose writes 2 floats past its 48: with `p + 8 < kc` they land in
                    // slots of this panel written later; the last block of a panel may overrun
                    // into the next panel, which is packed after this one (not past the last).
                    let end = ir + mr < mc ? kc : kc - 1
                    while p + 8 <= end {
                        gemmTranspose6x8(src + p, lda, panel + p * mr)
                        p += 8
                    }
                }
                while p < kc {
                    let width = min(8, kc - p)
                    withStage(6 * 8, 7 * 8) { stage, out in
                        for i in 0..<rows { (stage + i * 8).update(from: src + i * lda + p, count: width) }
                        gemmTranspose6x8(stage, 8, out)
                        (panel + p * mr).update(from: out, count: width * mr)
                    }
                    p += width
                }
            } else {
                // op(A)[i, p] = a[p, i]: each k step is a contiguous run of `rows` floats.
                if rows == mr {
                    // 4 + 2 lanes: no load past the 6 floats (which may end the matrix's storage).
                    for p in 0..<kc {
                        let s = UnsafeRawPointer(src + p * lda)
                        let d = UnsafeMutableRawPointer(panel + p * mr)
                        d.storeBytes(of: s.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self),
                                     toByteOffset: 16, as: SIMD2<Float>.self)
                    }
                } else {
                    for p in 0..<kc {
                        let d = panel + p * mr
                        d.update(repeating: 0, count: mr)
                        d.update(from: src + p * lda, count: rows)
                    }
                }
            }
            ir += mr
        }
    }

    /// Packs `op(B)[row0 ..< row0+kc, col0 ..< col0+nc]` into 16-column micro-panels.
    ///
    /// Layout: panel `q` (columns `16q ..< 16q+16`) starts at `dst + 16q·kc` and holds, for each k
    /// step `p`, the 16 values `op(B)[row0 + p, col0 + 16q + j]` contiguously; columns past `nc`
    /// are zeros.
    @inline(__always)
    static func packB(
        _ trans: Transpose, _ b: MatrixView, row0: Int, col0: Int, kc: Int, nc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let nr = 16
        let ldb = b.stride
        var jr = 0
        while jr < nc {
            let cols = min(nr, nc - jr)
            let panel = dst + jr * kc
            let src = b.base + (trans == .none ? row0 * ldb + col0 + jr : (col0 + jr) * ldb + row0)
            if trans == .none {
                // op(B)[p, j] = b[p, j]: each k step is a contiguous run of `cols` floats.
                if cols == nr {
                    for p in 0..<kc {
                        let s = UnsafeRawPointer(src + p * ldb)
                        UnsafeMutableRawPointer(panel + p * nr)
                            .storeBytes(of: s.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    }
                } else {
                    for p in 0..<kc {
                        let d = panel + p * nr
                        d.update(repeating: 0, count: nr)
                        d.update(from: src + p * ldb, count: cols)
                    }
                }
            } else {
                // op(B)[p, j] = b[j, p]: rows of B run along k; the panel wants them across.
                var p = 0
                if cols == nr {
                    while p + 16 <= kc {
                        gemmTranspose16x16(src + p, ldb, panel + p * nr)
                        p += 16
                    }
                }
                while p < kc {
                    let width = min(16, kc - p)
                    withStage(16 * 16, 16 * 16) { stage, out in
                        for j in 0..<cols { (stage + j * 16).update(from: src + j * ldb + p, count: width) }
                        gemmTranspose16x16(stage, 16, out)
                        (panel + p * nr).update(from: out, count: width * nr)
                    }
                    p += width
                }
            }
            jr += nr
        }
    }

    /// Runs `body` with a zeroed stack buffer of `stageCount` floats (the staged, zero-padded source
    /// of an edge block) and one of `outCount` floats (its transpose, with room for overruns).
    @inline(__always)
    private static func withStage(
        _ stageCount: Int, _ outCount: Int,
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stageCount + outCount) { buffer in
            let stage = buffer.baseAddress!
            stage.initialize(repeating: 0, count: stageCount + outCount)
            body(stage, stage + stageCount)
        }
    }
}
