import NoisyCore
import Testing

/// The SVD's exact output bits, pinned: speed-ups of the SVD (the deferred rotations, the column
/// combination kept in registers) must not move a single bit of σ, U or Vᵀ.
///
/// The FNV-1a hash below covers σ, U and Vᵀ of a thin SVD with vectors and σ of a values-only SVD
/// for eleven shapes (square, tall, wide; 5 to 200) in four variants each: dense, exact zero
/// columns (rank-deficient, zero diagonal entries and chases), a bidiagonal with repeated values,
/// and entries spread over five decades. It was recorded with the code before issue 19's tuning
/// round (commit c708096); a deliberate change to the SVD's arithmetic changes it, and must say so.
/// Arithmetic 2 (NMTune arithmetic 2) has its own hash, recorded when it was introduced.
@Suite struct SVDPinnedBitsTests {
    static let pinned = [1: "25afbdb89f410178", 2: "c2119c9814ab5d2"]

    @Test(arguments: [1, 2])
    func outputBitsMatchTheRecordedHash(version: Int) throws {
        let arithmetic = try NMTuneArithmetic.svdArithmetic(version: version)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ x: Float) { hash = (hash ^ UInt64(x.bitPattern)) &* 0x100_0000_01b3 }
        let shapes = [(64, 64), (64, 64), (64, 64), (64, 128), (128, 64), (37, 5), (5, 37), (17, 16), (200, 200), (64, 48), (33, 33)]
        for (m, n) in shapes {
            for variant in 0..<4 {
                var a = Matrix(rows: m, cols: n) { _, _ in next() }
                if variant == 1 { a = Matrix(rows: m, cols: n) { _, j in j % 7 == 3 ? 0 : next() } }
                if variant == 2 {
                    a = Matrix(rows: m, cols: n) { i, j in i == j ? Float(1 + (i % 3)) : (abs(i - j) == 1 ? 0.5 : 0) }
                }
                if variant == 3 { a = Matrix(rows: m, cols: n) { i, j in (i + j) % 5 == 0 ? next() * 100 : next() * 1e-3 } }
                let full = try svd(a, computeVectors: true, arithmetic: arithmetic)
                full.singularValues.forEach(mix)
                try #require(full.u).elements.forEach(mix)
                try #require(full.vt).elements.forEach(mix)
                try svd(a, computeVectors: false, arithmetic: arithmetic).singularValues.forEach(mix)
            }
        }
        #expect(String(hash, radix: 16) == Self.pinned[version])
    }
}
