/// Elementwise and reduction kernels of the compute core, vectorised with `SIMD16<Float>`.
///
/// Layout conventions (shared by every layer, loss and optimiser of NoisyCore):
/// - A ``Matrix`` of activations holds one sample per row (row-major, `Float`).
/// - Images are flattened NCHW: row `n` holds sample `n`'s `C·H·W` values, channel-major, then
///   image rows, then columns (`index = (c·H + y)·W + x`), exactly PyTorch's `x.view(N, -1)`.
/// - Vectors of per-feature values (biases, column statistics, BatchNorm γ/β) are `1 × cols` matrices.
///
/// Reproducibility: every reduction runs in one fixed order that depends only on the length
/// (16-lane partial sums over the data in order, a fixed halving tree across lanes, then the tail in
/// order), so the same inputs give bitwise identical outputs on every run. The order does not
/// depend on the ISA (AVX2 or AVX-512): `SIMD16<Float>` arithmetic is lane-wise IEEE and no FMA
/// contraction happens. Softmax and cross-entropy call libm's `expf`/`logf`, so across machines
/// they agree bitwise only under the same libm.
public enum Kernels {}

// MARK: - SIMD load/store helpers

@inline(__always) @usableFromInline
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) @usableFromInline
func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) @usableFromInline
func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// The sum of the 16 lanes in a fixed halving tree (8 + 8, 4 + 4, 2 + 2, 1 + 1).
@inline(__always) @usableFromInline
func treeSum(_ v: SIMD16<Float>) -> Float {
    let v8 = v.lowHalf + v.highHalf
    let v4 = v8.lowHalf + v8.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    return v2[0] + v2[1]
}

/// The largest of the 16 lanes, in a fixed halving tree.
@inline(__always) @usableFromInline
func treeMax(_ v: SIMD16<Float>) -> Float {
    let v8 = pointwiseMax(v.lowHalf, v.highHalf)
    let v4 = pointwiseMax(v8.lowHalf, v8.highHalf)
    let v2 = pointwiseMax(v4.lowHalf, v4.highHalf)
    return Swift.max(v2[0], v2[1])
}

// MARK: - Pointer-level vector primitives

extension Kernels {
    /// `Σ x[i]` for `i < count`, in the fixed order described on ``Kernels``. O(count).
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            acc += load16(x + i)
            i += 16
        }
        var s = treeSum(acc)
        while i < count {
            s += x[i]
            i += 1
        }
        return s
    }

    /// `Σ x[i]·y[i]`, in the fixed order described on ``Kernels``. O(count).
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            acc += load16(x + i) * load16(y + i)
            i += 16
        }
        var s = treeSum(acc)
        while i < count {
            s += x[i] * y[i]
            i += 1
        }
        return s
    }

    /// The largest of `x[0..<count]` (`-infinity` when empty). With NaNs in `x` the result is
    /// unspecified; callers that care (softmax) propagate the NaN through their own arithmetic.
    @inlinable
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= count {
            acc = pointwiseMax(acc, load16(x + i))
            i += 16
        }
        var m = treeMax(acc)
        while i < count {
            m = Swift.max(m, x[i])
            i += 1
        }
        return m
    }

    /// `y[i] += alpha · x[i]` (BLAS axpy; a multiply then an add, no FMA, so every build agrees).
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let a = SIMD16<Float>(repeating: alpha)
        var i = 0
        while i + 16 <= count {
            store16(load16(y + i) + a * load16(x + i), y + i)
            i += 16
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// `x[i] *= alpha`.
    @inlinable
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        let a = SIMD16<Float>(repeating: alpha)
        var i = 0
        while i + 16 <= count {
            store16(load16(x + i) * a, x + i)
            i += 16
        }
        while i < count {
            x[i] *= alpha
            i += 1
        }
    }

    /// `x[i] += value`.
    @inlinable
    public static func addScalar(_ value: Float, to x: UnsafeMutablePointer<Float>, count: Int) {
        addScalar(value, x, into: x, count: count)
    }

    /// `y[i] = x[i] + value` for `count` elements (`x` and `y` may be the same).
    @inlinable
    public static func addScalar(_ value: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let v = SIMD16<Float>(repeating: value)
        var i = 0
        while i + 16 <= count {
            store16(load16(x + i) + v, y + i)
            i += 16
        }
        while i < count {
            y[i] = x[i] + value
            i += 1
        }
    }

    /// `out[i] = a[i] + b[i]` (`out` may alias `a` or `b`).
    @inlinable
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store16(load16(a + i) + load16(b + i), out + i)
            i += 16
        }
        while i < count {
            out[i] = a[i] + b[i]
            i += 1
        }
    }

    /// `out[i] = a[i] · b[i]` (`out` may alias `a` or `b`).
    @inlinable
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store16(load16(a + i) * load16(b + i), out + i)
            i += 16
        }
        while i < count {
            out[i] = a[i] * b[i]
            i += 1
        }
    }
}
