import CVectorMath

extension Kernels {
    /// `x = GELU(x)` in place for `count` floats, with the erf form `0.5·v·(1 + erf(v/√2))` (BERT's
    /// "gelu"), 16 lanes at a time (a tail of fewer than 16 goes through one partial vector).
    ///
    /// erf is the rational approximation of Eigen/TensorFlow (`generic_fast_erf_float`: odd
    /// degree-13 over even degree-8 polynomial, input clamped to ±4; absolute error below 2e-7,
    /// about libm's `erff` in float); libm's scalar `erff` cost a fifth of the text encoder's
    /// forward pass. Cost O(count).
    @inlinable @inline(__always)
    public static func geluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 16 <= count {
            store16(gelu(load16(x + j)), x + j)
            j += 16
        }
        if j < count {
            var lanes = SIMD16<Float>()
            for t in 0..<(count - j) { lanes[t] = x[j + t] }
            let result = gelu(lanes)
            for t in 0..<(count - j) { x[j + t] = result[t] }
        }
    }

    /// GELU of 16 lanes (see ``geluInPlace(_:count:)``).
    @inlinable @inline(__always)
    public static func gelu(_ v: SIMD16<Float>) -> SIMD16<Float> {
        let inverseRoot2: Float = 0.70710678118654752
        return 0.5 * v * (1 + erf(v * inverseRoot2))
    }

    /// erf(x) lane-wise: Eigen's rational approximation (see ``geluInPlace(_:count:)``).
    /// `pointwiseMin/Max` clamp in one instruction each (`SIMD16.clamped` is lowered lane by lane).
    @inlinable @inline(__always)
    public static func erf(_ input: SIMD16<Float>) -> SIMD16<Float> {
        let x = pointwiseMax(pointwiseMin(input, SIMD16(repeating: 4)), SIMD16(repeating: -4))
        let x2 = x * x
        var p = SIMD16<Float>(repeating: 2.77068142495902e-08).addingProduct(x2, SIMD16(repeating: -2.72614225801306e-10))
        p = SIMD16(repeating: -2.10102402082508e-06).addingProduct(x2, p)
        p = SIMD16(repeating: -5.69250639462346e-05).addingProduct(x2, p)
        p = SIMD16(repeating: -7.34990630326855e-04).addingProduct(x2, p)
        p = SIMD16(repeating: -2.95459980854025e-03).addingProduct(x2, p)
        p = SIMD16(repeating: -1.60960333262415e-02).addingProduct(x2, p)
        p = x * p
        var q = SIMD16<Float>(repeating: -2.13374055278905e-04).addingProduct(x2, SIMD16(repeating: -1.45660718464996e-05))
        q = SIMD16(repeating: -1.68282697438203e-03).addingProduct(x2, q)
        q = SIMD16(repeating: -7.37332916720468e-03).addingProduct(x2, q)
        q = SIMD16(repeating: -1.42647390514189e-02).addingProduct(x2, q)
        return p / q
    }

    /// Softmax of each of `rows` rows of attention scores in place: row `i` is
    /// `scores[i·padded ..< (i+1)·padded]`, its first `length` entries the scores and the rest
    /// padding (zeros afterwards). exp is a vector polynomial (relative error ~1e-7, in
    /// CVectorMath's `nm_softmax_rows`: Swift lowered its vector max and polynomial lane by
    /// lane). `padded` must be a multiple of 8, ≥ `length` ≥ 1. Cost O(rows · padded).
    public static func softmaxRows(_ scores: UnsafeMutablePointer<Float>, rows: Int, padded: Int, length: Int) {
        precondition(padded % 8 == 0 && padded >= length && length >= 1, "softmaxRows: padded \(padded), length \(length)")
        nm_softmax_rows(scores, rows, padded, length)
    }
}
