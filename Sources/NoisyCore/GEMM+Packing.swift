/// Packing of A and B blocks into the contiguous, zero-padded micro-panels the micro-kernel reads.
///
/// Transposes are resolved here, so there is one micro-kernel. Packing is O(rows·cols) per block
/// against O(m·n·k) arithmetic; zero padding makes edge tiles ordinary tiles for the kernel.
enum GEMMPacking {
    /// Packs `op(A)[row0 ..< row0+mc, col0 ..< col0+kc]` into `mr`-row micro-panels.
    ///
    /// Layout: panel `q` (rows `q·mr ..< q·mr+mr`) starts at `dst + q·mr·kc` and holds, for each k step
    /// `p`, the `mr` values `op(A)[q·mr + i, col0 + p]` contiguously; rows past `mc` are zeros.
    @inline(__always)
    static func packA(
        _ trans: Transpose, _ a: MatrixView, row0: Int, col0: Int, mc: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let mr = GEMMBlocking.mr
        let lda = a.stride
        var ir = 0
        while ir < mc {
            let rows = min(mr, mc - ir)
            let panel = dst + ir * kc
            if trans == .none {
                // op(A)[i, p] = a[i, p]: rows of A are contiguous in p; the panel wants them across.
                var p = 0
                if mr == 6 && rows == 6 {
                    // `p + 8 < kc`: the transpose's 2-float overrun lands in slots written later.
                    while p + 8 < kc {
                        gemmTranspose6x8(a.base + (row0 + ir) * lda + col0 + p, lda, panel + p * mr)
                        p += 8
                    }
                }
                for i in 0..<rows {
                    let src = a.base + (row0 + ir + i) * lda + col0
                    var d = panel + p * mr + i
                    for q in p..<kc {
                        d.pointee = src[q]
                        d += mr
                    }
                }
            } else {
                // op(A)[i, p] = a[p, i]: each k step is a contiguous run of `rows` floats.
                if mr == 6 && rows == 6 {
                    // 4 + 2 lanes: no load past the 6 floats (which may end the matrix's storage).
                    for p in 0..<kc {
                        let src = UnsafeRawPointer(a.base + (col0 + p) * lda + row0 + ir)
                        let d = UnsafeMutableRawPointer(panel + p * mr)
                        d.storeBytes(of: src.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                        d.storeBytes(of: src.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self),
                                     toByteOffset: 16, as: SIMD2<Float>.self)
                    }
                } else {
                    for p in 0..<kc {
                        let src = a.base + (col0 + p) * lda + row0 + ir
                        let d = panel + p * mr
                        for i in 0..<rows { d[i] = src[i] }
                    }
                }
            }
            if rows < mr {
                for p in 0..<kc {
                    let d = panel + p * mr
                    for i in rows..<mr { d[i] = 0 }
                }
            }
            ir += mr
        }
    }

    /// Packs `op(B)[row0 ..< row0+kc, col0 ..< col0+nc]` into `nr`-column micro-panels.
    ///
    /// Layout: panel `q` (columns `q·nr ..< q·nr+nr`) starts at `dst + q·nr·kc` and holds, for each
    /// k step `p`, the `nr` values `op(B)[row0 + p, col0 + q·nr + j]` contiguously; columns past `nc`
    /// are zeros.
    @inline(__always)
    static func packB(
        _ trans: Transpose, _ b: MatrixView, row0: Int, col0: Int, kc: Int, nc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let nr = GEMMBlocking.nr
        let ldb = b.stride
        var jr = 0
        while jr < nc {
            let cols = min(nr, nc - jr)
            let panel = dst + jr * kc
            if trans == .none {
                // op(B)[p, j] = b[p, j]: each k step is a contiguous run of `cols` floats.
                if cols == nr && nr == 16 {
                    for p in 0..<kc {
                        let src = UnsafeRawPointer(b.base + (row0 + p) * ldb + col0 + jr)
                        UnsafeMutableRawPointer(panel + p * nr)
                            .storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    }
                } else {
                    for p in 0..<kc {
                        let src = b.base + (row0 + p) * ldb + col0 + jr
                        let d = panel + p * nr
                        for j in 0..<cols { d[j] = src[j] }
                        for j in cols..<nr { d[j] = 0 }
                    }
                }
            } else {
                // op(B)[p, j] = b[j, p]: rows of B are contiguous in p; the panel wants them across.
                var p = 0
                if nr == 16 && cols == 16 {
                    while p + 16 <= kc {
                        gemmTranspose16x16(b.base + (col0 + jr) * ldb + row0 + p, ldb, panel + p * nr)
                        p += 16
                    }
                }
                for j in 0..<cols {
                    let src = b.base + (col0 + jr + j) * ldb + row0
                    var d = panel + p * nr + j
                    for q in p..<kc {
                        d.pointee = src[q]
                        d += nr
                    }
                }
                if cols < nr {
                    for p in 0..<kc {
                        let d = panel + p * nr
                        for j in cols..<nr { d[j] = 0 }
                    }
                }
            }
            jr += nr
        }
    }
}
