/// The micro-kernel the driver calls, of shape ``GEMMBlocking/mr`` × ``GEMMBlocking/nr``.
///
/// Why 6×16 (6 rows × one `SIMD16<Float>`): with AVX-512 it needs 6 accumulators + 1 B vector +
/// 1 broadcast, and 6 independent FMA chains cover Zen 4's 4-cycle FMA latency at one zmm FMA per
/// cycle; with `NMSWEEP_MARCH=x86-64-v3` each `SIMD16` is two ymm, making it the classic 6×16 AVX2
/// kernel (12 accumulators + 2 + 1 of 16 ymm), so one shape is fast on both. Measured on Zen 4
/// against 8×32, 12×32, 14×32 and 6×32: as fast or faster at n = 512 and 1024.
@inline(__always)
func gemmMicroKernel(
    _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    gemmMicroKernel6x16(kc, a, b, c, ldc, alpha, beta)
}

/// The 6×16 register-blocked micro-kernel: `C[0..<6, 0..<16] = alpha · Ã·B̃ + beta · C`.
///
/// `a` is a packed A micro-panel (6 floats per k step), `b` a packed B micro-panel (16 floats per
/// k step), `kc` the depth, `c` the tile's top-left element with row stride `ldc`. The accumulators
/// stay in registers; every element is one FMA chain in increasing k, so its value does not depend
/// on the tile's position. `beta == 0` does not read C. Cost: 2·6·16·kc flops.
/// Written out one line per register (generated) so LLVM has nothing to guess.
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

/// The 6×16 micro-kernel with every row's chains starting from the 16 floats at `start` (a layer's
/// bias, ``gemm(_:_:_:bias:activation:_:)``) instead of zero; otherwise the kernel above, line for
/// line. A separate function, not an optional start in the one above: with the start as a
/// parameter LLVM copied an accumulator through a spare register on every k step of both.
@inline(never)
func gemmMicroKernel6x16(
    start: UnsafePointer<Float>, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
) {
    typealias V = SIMD16<Float>
    let s = UnsafeRawPointer(start)
    var c0_0 = s.loadUnaligned(as: V.self)
    var c1_0 = s.loadUnaligned(as: V.self)
    var c2_0 = s.loadUnaligned(as: V.self)
    var c3_0 = s.loadUnaligned(as: V.self)
    var c4_0 = s.loadUnaligned(as: V.self)
    var c5_0 = s.loadUnaligned(as: V.self)
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
