
/// The micro-kernel the driver calls (shape GEMMBlocking/mr × GEMMBlocking/nr).
@inline(__always)
func gemmMicroKernel(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float) {
    gemmMicroKernel8x32(kc, a, b, c, ldc, alpha, beta)
}

/// The 8×32 register-blocked micro-kernel: `C[0..<8, 0..<32] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (8 floats per k step), `b` a packed B micro-panel (32 floats per
/// k step), `kc` the depth. The 16 accumulators live in registers (16 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel8x32(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V(), c0_1 = V()
    var c1_0 = V(), c1_1 = V()
    var c2_0 = V(), c2_1 = V()
    var c3_0 = V(), c3_1 = V()
    var c4_0 = V(), c4_1 = V()
    var c5_0 = V(), c5_1 = V()
    var c6_0 = V(), c6_1 = V()
    var c7_0 = V(), c7_1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0); c0_1 = c0_1.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0); c1_1 = c1_1.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0); c2_1 = c2_1.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0); c3_1 = c3_1.addingProduct(a3, b1)
        let a4 = V(repeating: pa[4])
        c4_0 = c4_0.addingProduct(a4, b0); c4_1 = c4_1.addingProduct(a4, b1)
        let a5 = V(repeating: pa[5])
        c5_0 = c5_0.addingProduct(a5, b0); c5_1 = c5_1.addingProduct(a5, b1)
        let a6 = V(repeating: pa[6])
        c6_0 = c6_0.addingProduct(a6, b0); c6_1 = c6_1.addingProduct(a6, b1)
        let a7 = V(repeating: pa[7])
        c7_0 = c7_0.addingProduct(a7, b0); c7_1 = c7_1.addingProduct(a7, b1)
        pa += 8
        pb += 128
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    let r4 = UnsafeMutableRawPointer(c) + 4 &* rowBytes
    let r5 = UnsafeMutableRawPointer(c) + 5 &* rowBytes
    let r6 = UnsafeMutableRawPointer(c) + 6 &* rowBytes
    let r7 = UnsafeMutableRawPointer(c) + 7 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r0.storeBytes(of: va * c0_1, toByteOffset: 64, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_1, toByteOffset: 64, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_1, toByteOffset: 64, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_1, toByteOffset: 64, as: V.self)
        r4.storeBytes(of: va * c4_0, toByteOffset: 0, as: V.self)
        r4.storeBytes(of: va * c4_1, toByteOffset: 64, as: V.self)
        r5.storeBytes(of: va * c5_0, toByteOffset: 0, as: V.self)
        r5.storeBytes(of: va * c5_1, toByteOffset: 64, as: V.self)
        r6.storeBytes(of: va * c6_0, toByteOffset: 0, as: V.self)
        r6.storeBytes(of: va * c6_1, toByteOffset: 64, as: V.self)
        r7.storeBytes(of: va * c7_0, toByteOffset: 0, as: V.self)
        r7.storeBytes(of: va * c7_1, toByteOffset: 64, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r0.storeBytes(of: (va * c0_1).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_1).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_1).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_1).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r4.storeBytes(of: (va * c4_0).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r4.storeBytes(of: (va * c4_1).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r5.storeBytes(of: (va * c5_0).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r5.storeBytes(of: (va * c5_1).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r6.storeBytes(of: (va * c6_0).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r6.storeBytes(of: (va * c6_1).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r7.storeBytes(of: (va * c7_0).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r7.storeBytes(of: (va * c7_1).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
    }
}

/// The 6×32 register-blocked micro-kernel: `C[0..<6, 0..<32] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (6 floats per k step), `b` a packed B micro-panel (32 floats per
/// k step), `kc` the depth. The 12 accumulators live in registers (12 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel6x32(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V(), c0_1 = V()
    var c1_0 = V(), c1_1 = V()
    var c2_0 = V(), c2_1 = V()
    var c3_0 = V(), c3_1 = V()
    var c4_0 = V(), c4_1 = V()
    var c5_0 = V(), c5_1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0); c0_1 = c0_1.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0); c1_1 = c1_1.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0); c2_1 = c2_1.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0); c3_1 = c3_1.addingProduct(a3, b1)
        let a4 = V(repeating: pa[4])
        c4_0 = c4_0.addingProduct(a4, b0); c4_1 = c4_1.addingProduct(a4, b1)
        let a5 = V(repeating: pa[5])
        c5_0 = c5_0.addingProduct(a5, b0); c5_1 = c5_1.addingProduct(a5, b1)
        pa += 6
        pb += 128
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    let r4 = UnsafeMutableRawPointer(c) + 4 &* rowBytes
    let r5 = UnsafeMutableRawPointer(c) + 5 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r0.storeBytes(of: va * c0_1, toByteOffset: 64, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_1, toByteOffset: 64, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_1, toByteOffset: 64, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_1, toByteOffset: 64, as: V.self)
        r4.storeBytes(of: va * c4_0, toByteOffset: 0, as: V.self)
        r4.storeBytes(of: va * c4_1, toByteOffset: 64, as: V.self)
        r5.storeBytes(of: va * c5_0, toByteOffset: 0, as: V.self)
        r5.storeBytes(of: va * c5_1, toByteOffset: 64, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r0.storeBytes(of: (va * c0_1).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_1).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_1).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_1).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r4.storeBytes(of: (va * c4_0).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r4.storeBytes(of: (va * c4_1).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r5.storeBytes(of: (va * c5_0).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r5.storeBytes(of: (va * c5_1).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
    }
}

/// The 12×32 register-blocked micro-kernel: `C[0..<12, 0..<32] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (12 floats per k step), `b` a packed B micro-panel (32 floats per
/// k step), `kc` the depth. The 24 accumulators live in registers (24 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel12x32(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V(), c0_1 = V()
    var c1_0 = V(), c1_1 = V()
    var c2_0 = V(), c2_1 = V()
    var c3_0 = V(), c3_1 = V()
    var c4_0 = V(), c4_1 = V()
    var c5_0 = V(), c5_1 = V()
    var c6_0 = V(), c6_1 = V()
    var c7_0 = V(), c7_1 = V()
    var c8_0 = V(), c8_1 = V()
    var c9_0 = V(), c9_1 = V()
    var c10_0 = V(), c10_1 = V()
    var c11_0 = V(), c11_1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0); c0_1 = c0_1.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0); c1_1 = c1_1.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0); c2_1 = c2_1.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0); c3_1 = c3_1.addingProduct(a3, b1)
        let a4 = V(repeating: pa[4])
        c4_0 = c4_0.addingProduct(a4, b0); c4_1 = c4_1.addingProduct(a4, b1)
        let a5 = V(repeating: pa[5])
        c5_0 = c5_0.addingProduct(a5, b0); c5_1 = c5_1.addingProduct(a5, b1)
        let a6 = V(repeating: pa[6])
        c6_0 = c6_0.addingProduct(a6, b0); c6_1 = c6_1.addingProduct(a6, b1)
        let a7 = V(repeating: pa[7])
        c7_0 = c7_0.addingProduct(a7, b0); c7_1 = c7_1.addingProduct(a7, b1)
        let a8 = V(repeating: pa[8])
        c8_0 = c8_0.addingProduct(a8, b0); c8_1 = c8_1.addingProduct(a8, b1)
        let a9 = V(repeating: pa[9])
        c9_0 = c9_0.addingProduct(a9, b0); c9_1 = c9_1.addingProduct(a9, b1)
        let a10 = V(repeating: pa[10])
        c10_0 = c10_0.addingProduct(a10, b0); c10_1 = c10_1.addingProduct(a10, b1)
        let a11 = V(repeating: pa[11])
        c11_0 = c11_0.addingProduct(a11, b0); c11_1 = c11_1.addingProduct(a11, b1)
        pa += 12
        pb += 128
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    let r4 = UnsafeMutableRawPointer(c) + 4 &* rowBytes
    let r5 = UnsafeMutableRawPointer(c) + 5 &* rowBytes
    let r6 = UnsafeMutableRawPointer(c) + 6 &* rowBytes
    let r7 = UnsafeMutableRawPointer(c) + 7 &* rowBytes
    let r8 = UnsafeMutableRawPointer(c) + 8 &* rowBytes
    let r9 = UnsafeMutableRawPointer(c) + 9 &* rowBytes
    let r10 = UnsafeMutableRawPointer(c) + 10 &* rowBytes
    let r11 = UnsafeMutableRawPointer(c) + 11 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r0.storeBytes(of: va * c0_1, toByteOffset: 64, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_1, toByteOffset: 64, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_1, toByteOffset: 64, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_1, toByteOffset: 64, as: V.self)
        r4.storeBytes(of: va * c4_0, toByteOffset: 0, as: V.self)
        r4.storeBytes(of: va * c4_1, toByteOffset: 64, as: V.self)
        r5.storeBytes(of: va * c5_0, toByteOffset: 0, as: V.self)
        r5.storeBytes(of: va * c5_1, toByteOffset: 64, as: V.self)
        r6.storeBytes(of: va * c6_0, toByteOffset: 0, as: V.self)
        r6.storeBytes(of: va * c6_1, toByteOffset: 64, as: V.self)
        r7.storeBytes(of: va * c7_0, toByteOffset: 0, as: V.self)
        r7.storeBytes(of: va * c7_1, toByteOffset: 64, as: V.self)
        r8.storeBytes(of: va * c8_0, toByteOffset: 0, as: V.self)
        r8.storeBytes(of: va * c8_1, toByteOffset: 64, as: V.self)
        r9.storeBytes(of: va * c9_0, toByteOffset: 0, as: V.self)
        r9.storeBytes(of: va * c9_1, toByteOffset: 64, as: V.self)
        r10.storeBytes(of: va * c10_0, toByteOffset: 0, as: V.self)
        r10.storeBytes(of: va * c10_1, toByteOffset: 64, as: V.self)
        r11.storeBytes(of: va * c11_0, toByteOffset: 0, as: V.self)
        r11.storeBytes(of: va * c11_1, toByteOffset: 64, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r0.storeBytes(of: (va * c0_1).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_1).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_1).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_1).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r4.storeBytes(of: (va * c4_0).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r4.storeBytes(of: (va * c4_1).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r5.storeBytes(of: (va * c5_0).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r5.storeBytes(of: (va * c5_1).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r6.storeBytes(of: (va * c6_0).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r6.storeBytes(of: (va * c6_1).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r7.storeBytes(of: (va * c7_0).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r7.storeBytes(of: (va * c7_1).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r8.storeBytes(of: (va * c8_0).addingProduct(vb, r8.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r8.storeBytes(of: (va * c8_1).addingProduct(vb, r8.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r9.storeBytes(of: (va * c9_0).addingProduct(vb, r9.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r9.storeBytes(of: (va * c9_1).addingProduct(vb, r9.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r10.storeBytes(of: (va * c10_0).addingProduct(vb, r10.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r10.storeBytes(of: (va * c10_1).addingProduct(vb, r10.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r11.storeBytes(of: (va * c11_0).addingProduct(vb, r11.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r11.storeBytes(of: (va * c11_1).addingProduct(vb, r11.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
    }
}

/// The 6×16 register-blocked micro-kernel: `C[0..<6, 0..<16] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (6 floats per k step), `b` a packed B micro-panel (16 floats per
/// k step), `kc` the depth. The 6 accumulators live in registers (6 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel6x16(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V()
    var c1_0 = V()
    var c2_0 = V()
    var c3_0 = V()
    var c4_0 = V()
    var c5_0 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0)
        let a4 = V(repeating: pa[4])
        c4_0 = c4_0.addingProduct(a4, b0)
        let a5 = V(repeating: pa[5])
        c5_0 = c5_0.addingProduct(a5, b0)
        pa += 6
        pb += 64
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    let r4 = UnsafeMutableRawPointer(c) + 4 &* rowBytes
    let r5 = UnsafeMutableRawPointer(c) + 5 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r4.storeBytes(of: va * c4_0, toByteOffset: 0, as: V.self)
        r5.storeBytes(of: va * c5_0, toByteOffset: 0, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r4.storeBytes(of: (va * c4_0).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r5.storeBytes(of: (va * c5_0).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
    }
}

/// The 14×32 register-blocked micro-kernel: `C[0..<14, 0..<32] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (14 floats per k step), `b` a packed B micro-panel (32 floats per
/// k step), `kc` the depth. The 28 accumulators live in registers (28 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel14x32(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V(), c0_1 = V()
    var c1_0 = V(), c1_1 = V()
    var c2_0 = V(), c2_1 = V()
    var c3_0 = V(), c3_1 = V()
    var c4_0 = V(), c4_1 = V()
    var c5_0 = V(), c5_1 = V()
    var c6_0 = V(), c6_1 = V()
    var c7_0 = V(), c7_1 = V()
    var c8_0 = V(), c8_1 = V()
    var c9_0 = V(), c9_1 = V()
    var c10_0 = V(), c10_1 = V()
    var c11_0 = V(), c11_1 = V()
    var c12_0 = V(), c12_1 = V()
    var c13_0 = V(), c13_1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0); c0_1 = c0_1.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0); c1_1 = c1_1.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0); c2_1 = c2_1.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0); c3_1 = c3_1.addingProduct(a3, b1)
        let a4 = V(repeating: pa[4])
        c4_0 = c4_0.addingProduct(a4, b0); c4_1 = c4_1.addingProduct(a4, b1)
        let a5 = V(repeating: pa[5])
        c5_0 = c5_0.addingProduct(a5, b0); c5_1 = c5_1.addingProduct(a5, b1)
        let a6 = V(repeating: pa[6])
        c6_0 = c6_0.addingProduct(a6, b0); c6_1 = c6_1.addingProduct(a6, b1)
        let a7 = V(repeating: pa[7])
        c7_0 = c7_0.addingProduct(a7, b0); c7_1 = c7_1.addingProduct(a7, b1)
        let a8 = V(repeating: pa[8])
        c8_0 = c8_0.addingProduct(a8, b0); c8_1 = c8_1.addingProduct(a8, b1)
        let a9 = V(repeating: pa[9])
        c9_0 = c9_0.addingProduct(a9, b0); c9_1 = c9_1.addingProduct(a9, b1)
        let a10 = V(repeating: pa[10])
        c10_0 = c10_0.addingProduct(a10, b0); c10_1 = c10_1.addingProduct(a10, b1)
        let a11 = V(repeating: pa[11])
        c11_0 = c11_0.addingProduct(a11, b0); c11_1 = c11_1.addingProduct(a11, b1)
        let a12 = V(repeating: pa[12])
        c12_0 = c12_0.addingProduct(a12, b0); c12_1 = c12_1.addingProduct(a12, b1)
        let a13 = V(repeating: pa[13])
        c13_0 = c13_0.addingProduct(a13, b0); c13_1 = c13_1.addingProduct(a13, b1)
        pa += 14
        pb += 128
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    let r4 = UnsafeMutableRawPointer(c) + 4 &* rowBytes
    let r5 = UnsafeMutableRawPointer(c) + 5 &* rowBytes
    let r6 = UnsafeMutableRawPointer(c) + 6 &* rowBytes
    let r7 = UnsafeMutableRawPointer(c) + 7 &* rowBytes
    let r8 = UnsafeMutableRawPointer(c) + 8 &* rowBytes
    let r9 = UnsafeMutableRawPointer(c) + 9 &* rowBytes
    let r10 = UnsafeMutableRawPointer(c) + 10 &* rowBytes
    let r11 = UnsafeMutableRawPointer(c) + 11 &* rowBytes
    let r12 = UnsafeMutableRawPointer(c) + 12 &* rowBytes
    let r13 = UnsafeMutableRawPointer(c) + 13 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r0.storeBytes(of: va * c0_1, toByteOffset: 64, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_1, toByteOffset: 64, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_1, toByteOffset: 64, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_1, toByteOffset: 64, as: V.self)
        r4.storeBytes(of: va * c4_0, toByteOffset: 0, as: V.self)
        r4.storeBytes(of: va * c4_1, toByteOffset: 64, as: V.self)
        r5.storeBytes(of: va * c5_0, toByteOffset: 0, as: V.self)
        r5.storeBytes(of: va * c5_1, toByteOffset: 64, as: V.self)
        r6.storeBytes(of: va * c6_0, toByteOffset: 0, as: V.self)
        r6.storeBytes(of: va * c6_1, toByteOffset: 64, as: V.self)
        r7.storeBytes(of: va * c7_0, toByteOffset: 0, as: V.self)
        r7.storeBytes(of: va * c7_1, toByteOffset: 64, as: V.self)
        r8.storeBytes(of: va * c8_0, toByteOffset: 0, as: V.self)
        r8.storeBytes(of: va * c8_1, toByteOffset: 64, as: V.self)
        r9.storeBytes(of: va * c9_0, toByteOffset: 0, as: V.self)
        r9.storeBytes(of: va * c9_1, toByteOffset: 64, as: V.self)
        r10.storeBytes(of: va * c10_0, toByteOffset: 0, as: V.self)
        r10.storeBytes(of: va * c10_1, toByteOffset: 64, as: V.self)
        r11.storeBytes(of: va * c11_0, toByteOffset: 0, as: V.self)
        r11.storeBytes(of: va * c11_1, toByteOffset: 64, as: V.self)
        r12.storeBytes(of: va * c12_0, toByteOffset: 0, as: V.self)
        r12.storeBytes(of: va * c12_1, toByteOffset: 64, as: V.self)
        r13.storeBytes(of: va * c13_0, toByteOffset: 0, as: V.self)
        r13.storeBytes(of: va * c13_1, toByteOffset: 64, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r0.storeBytes(of: (va * c0_1).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_1).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_1).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_1).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r4.storeBytes(of: (va * c4_0).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r4.storeBytes(of: (va * c4_1).addingProduct(vb, r4.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r5.storeBytes(of: (va * c5_0).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r5.storeBytes(of: (va * c5_1).addingProduct(vb, r5.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r6.storeBytes(of: (va * c6_0).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r6.storeBytes(of: (va * c6_1).addingProduct(vb, r6.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r7.storeBytes(of: (va * c7_0).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r7.storeBytes(of: (va * c7_1).addingProduct(vb, r7.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r8.storeBytes(of: (va * c8_0).addingProduct(vb, r8.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r8.storeBytes(of: (va * c8_1).addingProduct(vb, r8.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r9.storeBytes(of: (va * c9_0).addingProduct(vb, r9.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r9.storeBytes(of: (va * c9_1).addingProduct(vb, r9.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r10.storeBytes(of: (va * c10_0).addingProduct(vb, r10.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r10.storeBytes(of: (va * c10_1).addingProduct(vb, r10.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r11.storeBytes(of: (va * c11_0).addingProduct(vb, r11.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r11.storeBytes(of: (va * c11_1).addingProduct(vb, r11.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r12.storeBytes(of: (va * c12_0).addingProduct(vb, r12.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r12.storeBytes(of: (va * c12_1).addingProduct(vb, r12.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r13.storeBytes(of: (va * c13_0).addingProduct(vb, r13.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r13.storeBytes(of: (va * c13_1).addingProduct(vb, r13.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
    }
}

/// The 4×32 register-blocked micro-kernel: `C[0..<4, 0..<32] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (4 floats per k step), `b` a packed B micro-panel (32 floats per
/// k step), `kc` the depth. The 8 accumulators live in registers (8 zmm with AVX-512); every
/// element is accumulated by one FMA chain in increasing k, so results do not depend on the tile's
/// position. `beta == 0` does not read C. Cost: 2·MR·NR·kc flops, no memory traffic besides the panels.
@inline(never)
func gemmMicroKernel4x32(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    var c0_0 = V(), c0_1 = V()
    var c1_0 = V(), c1_1 = V()
    var c2_0 = V(), c2_1 = V()
    var c3_0 = V(), c3_1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c0_0 = c0_0.addingProduct(a0, b0); c0_1 = c0_1.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c1_0 = c1_0.addingProduct(a1, b0); c1_1 = c1_1.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c2_0 = c2_0.addingProduct(a2, b0); c2_1 = c2_1.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c3_0 = c3_0.addingProduct(a3, b0); c3_1 = c3_1.addingProduct(a3, b1)
        pa += 4
        pb += 128
    }
    let va = V(repeating: alpha)
    let rowBytes = ldc &* MemoryLayout<Float>.stride
    let r0 = UnsafeMutableRawPointer(c)
    let r1 = UnsafeMutableRawPointer(c) + 1 &* rowBytes
    let r2 = UnsafeMutableRawPointer(c) + 2 &* rowBytes
    let r3 = UnsafeMutableRawPointer(c) + 3 &* rowBytes
    if beta == 0 {
        r0.storeBytes(of: va * c0_0, toByteOffset: 0, as: V.self)
        r0.storeBytes(of: va * c0_1, toByteOffset: 64, as: V.self)
        r1.storeBytes(of: va * c1_0, toByteOffset: 0, as: V.self)
        r1.storeBytes(of: va * c1_1, toByteOffset: 64, as: V.self)
        r2.storeBytes(of: va * c2_0, toByteOffset: 0, as: V.self)
        r2.storeBytes(of: va * c2_1, toByteOffset: 64, as: V.self)
        r3.storeBytes(of: va * c3_0, toByteOffset: 0, as: V.self)
        r3.storeBytes(of: va * c3_1, toByteOffset: 64, as: V.self)
    } else {
        let vb = V(repeating: beta)
        r0.storeBytes(of: (va * c0_0).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r0.storeBytes(of: (va * c0_1).addingProduct(vb, r0.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r1.storeBytes(of: (va * c1_0).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r1.storeBytes(of: (va * c1_1).addingProduct(vb, r1.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r2.storeBytes(of: (va * c2_0).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r2.storeBytes(of: (va * c2_1).addingProduct(vb, r2.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
        r3.storeBytes(of: (va * c3_0).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 0, as: V.self)), toByteOffset: 0, as: V.self)
        r3.storeBytes(of: (va * c3_1).addingProduct(vb, r3.loadUnaligned(fromByteOffset: 64, as: V.self)), toByteOffset: 64, as: V.self)
    }
}
