import CVectorMath

/// Transposes the 16×16 block `src[j·ld + p]` (j, p < 16) into `dst[p·16 + j]`.
///
/// In C (``nm_transpose16x16``, CVectorMath): written with `SIMD32.evenHalf` / `.oddHalf` here,
/// the 64 deinterleaves were emitted as out-of-line calls in some callers (1–3 % of the text
/// encoder and of pre-training).
@inline(__always)
func gemmTranspose16x16(_ src: UnsafePointer<Float>, _ ld: Int, _ dst: UnsafeMutablePointer<Float>) {
    nm_transpose16x16(src, ld, dst, 16)
}

/// Transposes the 6×8 block `src[i·ld + p]` (i < 6, p < 8) into `dst[p·6 + i]` (48 contiguous floats).
///
/// Padded to 8×8 with zero rows, transposed by three rounds of even/odd deinterleaving; each
/// 8-lane column is stored whole and the next store overwrites its 2 padding lanes, so the last
/// store writes 2 floats past the 48 — callers leave that slack.
@inline(__always)
func gemmTranspose6x8(_ src: UnsafePointer<Float>, _ ld: Int, _ dst: UnsafeMutablePointer<Float>) {
    let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
    let rowBytes = ld &* MemoryLayout<Float>.stride
    let r0 = s.loadUnaligned(fromByteOffset: 0 &* rowBytes, as: SIMD8<Float>.self)
    let r1 = s.loadUnaligned(fromByteOffset: 1 &* rowBytes, as: SIMD8<Float>.self)
    let r2 = s.loadUnaligned(fromByteOffset: 2 &* rowBytes, as: SIMD8<Float>.self)
    let r3 = s.loadUnaligned(fromByteOffset: 3 &* rowBytes, as: SIMD8<Float>.self)
    let r4 = s.loadUnaligned(fromByteOffset: 4 &* rowBytes, as: SIMD8<Float>.self)
    let r5 = s.loadUnaligned(fromByteOffset: 5 &* rowBytes, as: SIMD8<Float>.self)
    let r6 = SIMD8<Float>(), r7 = SIMD8<Float>()
    let m0_0 = SIMD16<Float>(lowHalf: r0, highHalf: r1)
    let t0_0 = m0_0.evenHalf, t0_4 = m0_0.oddHalf
    let m0_1 = SIMD16<Float>(lowHalf: r2, highHalf: r3)
    let t0_1 = m0_1.evenHalf, t0_5 = m0_1.oddHalf
    let m0_2 = SIMD16<Float>(lowHalf: r4, highHalf: r5)
    let t0_2 = m0_2.evenHalf, t0_6 = m0_2.oddHalf
    let m0_3 = SIMD16<Float>(lowHalf: r6, highHalf: r7)
    let t0_3 = m0_3.evenHalf, t0_7 = m0_3.oddHalf
    let m1_0 = SIMD16<Float>(lowHalf: t0_0, highHalf: t0_1)
    let t1_0 = m1_0.evenHalf, t1_4 = m1_0.oddHalf
    let m1_1 = SIMD16<Float>(lowHalf: t0_2, highHalf: t0_3)
    let t1_1 = m1_1.evenHalf, t1_5 = m1_1.oddHalf
    let m1_2 = SIMD16<Float>(lowHalf: t0_4, highHalf: t0_5)
    let t1_2 = m1_2.evenHalf, t1_6 = m1_2.oddHalf
    let m1_3 = SIMD16<Float>(lowHalf: t0_6, highHalf: t0_7)
    let t1_3 = m1_3.evenHalf, t1_7 = m1_3.oddHalf
    let m2_0 = SIMD16<Float>(lowHalf: t1_0, highHalf: t1_1)
    let t2_0 = m2_0.evenHalf, t2_4 = m2_0.oddHalf
    let m2_1 = SIMD16<Float>(lowHalf: t1_2, highHalf: t1_3)
    let t2_1 = m2_1.evenHalf, t2_5 = m2_1.oddHalf
    let m2_2 = SIMD16<Float>(lowHalf: t1_4, highHalf: t1_5)
    let t2_2 = m2_2.evenHalf, t2_6 = m2_2.oddHalf
    let m2_3 = SIMD16<Float>(lowHalf: t1_6, highHalf: t1_7)
    let t2_3 = m2_3.evenHalf, t2_7 = m2_3.oddHalf
    d.storeBytes(of: t2_0, toByteOffset: 0, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_1, toByteOffset: 24, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_2, toByteOffset: 48, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_3, toByteOffset: 72, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_4, toByteOffset: 96, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_5, toByteOffset: 120, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_6, toByteOffset: 144, as: SIMD8<Float>.self)
    d.storeBytes(of: t2_7, toByteOffset: 168, as: SIMD8<Float>.self)
}
