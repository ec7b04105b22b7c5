// SIMD kernels of the SVD: dot products, AXPYs, Householder reflectors and plane rotations on
// contiguous Float vectors whose length is a multiple of 16 (the SVD pads every working column with
// zeros to such a length, so no kernel has a scalar tail).

@inline(__always)
func svdLoad(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func svdLoad(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func svdStore(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// The sum of the 16 lanes by halving (fixed order; the stdlib's `sum()` is an out-of-line call).
@inline(__always)
func svdSum(_ v: SIMD16<Float>) -> Float {
    let v8 = v.lowHalf + v.highHalf
    let v4 = v8.lowHalf + v8.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    return v2[0] + v2[1]
}

/// `Σ x[i]·y[i]` for `count` elements, `count % 16 == 0`; two accumulators, fixed order.
@inline(__always)
func svdDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
    var i = 0
    while i + 32 <= count {
        a0.addProduct(svdLoad(x + i), svdLoad(y + i))
        a1.addProduct(svdLoad(x + i + 16), svdLoad(y + i + 16))
        i += 32
    }
    if i < count { a0.addProduct(svdLoad(x + i), svdLoad(y + i)) }
    return svdSum(a0 + a1)
}

/// `y[i] += alpha·x[i]` for `count` elements, `count % 16 == 0`.
@inline(__always)
func svdAxpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    let a = SIMD16<Float>(repeating: alpha)
    var i = 0
    while i < count {
        svdStore(svdLoad(y + i).addingProduct(a, svdLoad(x + i)), y + i)
        i += 16
    }
}

/// `w[i] = Σⱼ a[j]·xⱼ[i]` for `columns` vectors `xⱼ = x + j·ldx` of `count` elements
/// (`count % 16 == 0`), j ascending: the same FMAs, in the same order, as `count` zeros followed
/// by one ``svdAxpy`` per column, but with the running sums in registers (64 rows at a time)
/// instead of a store and a reload per column, which made the chain wait on store forwarding.
@inline(__always)
func svdCombineColumns(
    _ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, ldx: Int, columns: Int,
    into w: UnsafeMutablePointer<Float>, count: Int
) {
    var i = 0
    while i + 64 <= count {
        var w0 = SIMD16<Float>(), w1 = SIMD16<Float>(), w2 = SIMD16<Float>(), w3 = SIMD16<Float>()
        for j in 0..<columns {
            let aj = SIMD16<Float>(repeating: a[j]), xj = x + j * ldx + i
            w0 = w0.addingProduct(aj, svdLoad(xj))
            w1 = w1.addingProduct(aj, svdLoad(xj + 16))
            w2 = w2.addingProduct(aj, svdLoad(xj + 32))
            w3 = w3.addingProduct(aj, svdLoad(xj + 48))
        }
        svdStore(w0, w + i); svdStore(w1, w + i + 16); svdStore(w2, w + i + 32); svdStore(w3, w + i + 48)
        i += 64
    }
    while i < count {
        var w0 = SIMD16<Float>()
        for j in 0..<columns { w0 = w0.addingProduct(SIMD16<Float>(repeating: a[j]), svdLoad(x + j * ldx + i)) }
        svdStore(w0, w + i)
        i += 16
    }
}

/// Applies `H = I − tau·v·vᵀ` to `columns` vectors `y + j·ldy` over `count` rows (`count % 16 == 0`).
///
/// Each column is read twice while it sits in L1 (dot, then update), so one reflector costs one
/// pass over the trailing matrix.
@inline(__always)
func svdApplyReflector(
    _ tau: Float, _ v: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, count: Int
) {
    guard tau != 0 else { return }
    for j in 0..<columns {
        let yj = y + j * ldy
        let w = svdDot(v, UnsafePointer(yj), count)
        if w != 0 { svdAxpy(-tau * w, v, yj, count) }
    }
}

/// Applies a block of 8 reflectors in compact-WY form, `y ← (I − V·op(T)·Vᵀ)·y`, to `columns`
/// vectors `y + j·ldy` of `count` rows (`count % 16 == 0`).
///
/// `v` holds 8 columns of `count` rows at distance `ldv` (unused columns are zero); `t` is the
/// 8×8 upper-triangular T of LAPACK's `slarft` (row-major, `t[a·8+b]`). `op(T) = T` applies
/// `H₀H₁…H₇`, `op(T) = Tᵀ` applies its transpose `H₇…H₁H₀`. Per 16 rows one load of `y` feeds
/// 8 FMAs, so the kernel runs near the FMA rate while `V` stays in L1/L2.
func svdApplyBlockReflector(
    v: UnsafePointer<Float>, ldv: Int, t: UnsafePointer<Float>, transposeT: Bool,
    y: UnsafeMutablePointer<Float>, ldy: Int, columns: Int, count: Int
) {
    let v0 = v, v1 = v + ldv, v2 = v + 2 * ldv, v3 = v + 3 * ldv
    let v4 = v + 4 * ldv, v5 = v + 5 * ldv, v6 = v + 6 * ldv, v7 = v + 7 * ldv
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { zw in
        let z = zw.baseAddress!, w = z + 8
        for j in 0..<columns {
            let yj = y + j * ldy
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
            var i = 0
            while i < count {
                let yv = svdLoad(yj + i)
                a0.addProduct(svdLoad(v0 + i), yv)
                a1.addProduct(svdLoad(v1 + i), yv)
                a2.addProduct(svdLoad(v2 + i), yv)
                a3.addProduct(svdLoad(v3 + i), yv)
                a4.addProduct(svdLoad(v4 + i), yv)
                a5.addProduct(svdLoad(v5 + i), yv)
                a6.addProduct(svdLoad(v6 + i), yv)
                a7.addProduct(svdLoad(v7 + i), yv)
                i += 16
            }
            z[0] = svdSum(a0); z[1] = svdSum(a1); z[2] = svdSum(a2); z[3] = svdSum(a3)
            z[4] = svdSum(a4); z[5] = svdSum(a5); z[6] = svdSum(a6); z[7] = svdSum(a7)
            if transposeT {
                for a in 0..<8 {
                    var s: Float = 0
                    for b in 0...a { s += t[b * 8 + a] * z[b] }
                    w[a] = -s
                }
            } else {
                for a in 0..<8 {
                    var s: Float = 0
                    for b in a..<8 { s += t[a * 8 + b] * z[b] }
                    w[a] = -s
                }
            }
            let w0 = SIMD16<Float>(repeating: w[0]), w1 = SIMD16<Float>(repeating: w[1])
            let w2 = SIMD16<Float>(repeating: w[2]), w3 = SIMD16<Float>(repeating: w[3])
            let w4 = SIMD16<Float>(repeating: w[4]), w5 = SIMD16<Float>(repeating: w[5])
            let w6 = SIMD16<Float>(repeating: w[6]), w7 = SIMD16<Float>(repeating: w[7])
            i = 0
            while i < count {
                var acc = svdLoad(yj + i)
                acc.addProduct(svdLoad(v0 + i), w0)
                acc.addProduct(svdLoad(v1 + i), w1)
                acc.addProduct(svdLoad(v2 + i), w2)
                acc.addProduct(svdLoad(v3 + i), w3)
                acc.addProduct(svdLoad(v4 + i), w4)
                acc.addProduct(svdLoad(v5 + i), w5)
                acc.addProduct(svdLoad(v6 + i), w6)
                acc.addProduct(svdLoad(v7 + i), w7)
                svdStore(acc, yj + i)
                i += 16
            }
        }
    }
}

/// Builds the 8×8 upper-triangular factor T with `H₀H₁…H₇ = I − V·T·Vᵀ` (LAPACK `slarft`,
/// forward, column-wise). `v` as in ``svdApplyBlockReflector``; `tau` has 8 entries (0 for unused
/// columns). Cost `O(64·count)`.
func svdBuildT(v: UnsafePointer<Float>, ldv: Int, count: Int, tau: UnsafePointer<Float>, t: UnsafeMutablePointer<Float>) {
    t.update(repeating: 0, count: 64)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 8) { gBuffer in
        let g = gBuffer.baseAddress!
        for i in 0..<8 {
            let ti = tau[i]
            t[i * 8 + i] = ti
            guard i > 0, ti != 0 else { continue }
            for l in 0..<i { g[l] = svdDot(v + l * ldv, v + i * ldv, count) }
            // T[0..<i, i] = −τᵢ · T[0..<i, 0..<i] · g  (T upper triangular).
            for a in 0..<i {
                var s: Float = 0
                for b in a..<i { s += t[a * 8 + b] * g[b] }
                t[a * 8 + i] = -ti * s
            }
        }
    }
}

/// Makes a Householder reflector (LAPACK `slarfg`): given `x` (`count` elements at distance
/// `stride`, `x[0] = α`), finds `τ`, `β` and `v` (`v₀ = 1`) with `(I − τvvᵀ)x = β·e₀`.
///
/// Overwrites `x[1...]` with `v[1...]` and returns `(β, τ)`; `τ = 0` (H = I) when `x[1...]` is
/// zero. The norm is accumulated in Double: inputs are pre-scaled to `max|a| ∈ [1, 2)`, so neither
/// overflow nor harmful underflow can occur.
@inline(__always)
func svdMakeReflector(_ x: UnsafeMutablePointer<Float>, stride: Int, count: Int) -> (beta: Float, tau: Float) {
    let alpha = Double(x[0])
    guard count > 1 else { return (x[0], 0) }
    var sumSquares = 0.0
    for i in 1..<count {
        let value = Double(x[i * stride])
        sumSquares += value * value
    }
    if sumSquares == 0 { return (x[0], 0) }
    let norm = (alpha * alpha + sumSquares).squareRoot()
    let beta = alpha >= 0 ? -norm : norm
    let tau = (beta - alpha) / beta
    let scale = 1 / (alpha - beta)
    for i in 1..<count { x[i * stride] = Float(Double(x[i * stride]) * scale) }
    return (Float(beta), Float(tau))
}

/// One plane rotation of two rows: `(x, y) ← (c·x + s·y, −s·x + c·y)`, `width % 16 == 0`.
func svdRotateRows(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, width: Int, c: Float, s: Float) {
    let cv = SIMD16<Float>(repeating: c), sv = SIMD16<Float>(repeating: s)
    var j = 0
    while j < width {
        let a = svdLoad(x + j), b = svdLoad(y + j)
        svdStore((cv * a).addingProduct(sv, b), x + j)
        svdStore((cv * b).addingProduct(-sv, a), y + j)
        j += 16
    }
}

/// Rounds `n` up to a multiple of 16 (one SIMD16 register).
@inline(__always)
func svdPad(_ n: Int) -> Int { (n + 15) & ~15 }
