import Foundation
import NoisyCore
import Testing

/// `gemm` on weights packed once (`PackedWeights`): `activation(op(A) · Wᵀ + bias)` against a
/// `Double` reference, the fused GELU against GELU applied afterwards, and row independence (what
/// the text encoder's "any batching gives the same bits" rests on).
@Suite struct PackedGEMMTests {
    /// (m, n, k): below/at/above the 6×16 micro-tile, the 256-deep k block and the 252-row A block;
    /// n not a multiple of 16 (a partial last panel with a zero-padded bias).
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (5, 15, 9), (6, 16, 8), (7, 17, 16), (13, 33, 255), (6, 16, 256), (7, 17, 257),
        (3, 5, 513), (253, 16, 9), (252, 20, 5), (40, 1025, 3), (67, 67, 67), (30, 48, 384),
    ]

    @Test(arguments: [Transpose.none, .transposed])
    func biasedProductMatchesReference(transA: Transpose) throws {
        var rng = RandomStream(seed: 11).derived("packed-gemm", transA == .none ? 0 : 1)
        for (m, n, k) in Self.shapes {
            let a = GEMMTests.random(transA == .none ? m : k, transA == .none ? k : m, &rng)
            let w = GEMMTests.random(n, k, &rng)
            let bias = (0..<n).map { _ in rng.uniform(-1, 1) }
            let c = Self.run(transA, a, PackedWeights(w), bias: bias, activation: .identity, m: m)
            let u = 0x1p-24
            var failures = 0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = Double(bias[j]), magnitude = abs(Double(bias[j]))
                    for p in 0..<k {
                        let x = Double(transA == .none ? a[i, p] : a[p, i]) * Double(w[j, p])
                        sum += x
                        magnitude += abs(x)
                    }
                    let tolerance = Double(k + 4) * u * magnitude + 1e-30
                    if !(abs(Double(c[i, j]) - sum) <= tolerance) {
                        failures += 1
                        if failures <= 3 { Issue.record("m=\(m) n=\(n) k=\(k): C[\(i), \(j)] = \(c[i, j]), reference \(sum)") }
                    }
                }
            }
            try #require(failures == 0, "m=\(m) n=\(n) k=\(k) trans=\(transA): \(failures) of \(m * n) outside tolerance")
        }
    }

    @Test func fusedGELUEqualsGELUAfterwardsBitwise() {
        var rng = RandomStream(seed: 12).derived("packed-gemm-gelu")
        for (m, n, k) in Self.shapes {
            let a = GEMMTests.random(m, k, &rng)
            let packed = PackedWeights(GEMMTests.random(n, k, &rng))
            let bias = (0..<n).map { _ in rng.uniform(-2, 2) }
            var plain = Self.run(.none, a, packed, bias: bias, activation: .identity, m: m)
            plain.withUnsafeMutableBufferPointer { Kernels.geluInPlace($0.baseAddress!, count: $0.count) }
            let fused = Self.run(.none, a, packed, bias: bias, activation: .gelu, m: m)
            #expect(fused.elements.map(\.bitPattern) == plain.elements.map(\.bitPattern), "m=\(m) n=\(n) k=\(k)")
        }
    }

    @Test func eachRowDependsOnlyOnItsOwnInputRow() {
        var rng = RandomStream(seed: 13).derived("packed-gemm-rows")
        let (m, n, k) = (261, 40, 300)
        let a = GEMMTests.random(m, k, &rng)
        let packed = PackedWeights(GEMMTests.random(n, k, &rng))
        let bias = (0..<n).map { _ in rng.uniform(-1, 1) }
        let whole = Self.run(.none, a, packed, bias: bias, activation: .gelu, m: m)
        for range in [0..<1, 5..<11, 250..<261, 17..<270 - 9] {
            let part = Matrix(rows: range.count, cols: k) { r, c in a[range.lowerBound + r, c] }
            let result = Self.run(.none, part, packed, bias: bias, activation: .gelu, m: range.count)
            for r in 0..<range.count {
                #expect((0..<n).allSatisfy { result[r, $0].bitPattern == whole[range.lowerBound + r, $0].bitPattern }, "rows \(range), row \(r)")
            }
        }
    }

    @Test func withoutBiasTheChainsStartAtZero() throws {
        var rng = RandomStream(seed: 14).derived("packed-gemm-nobias")
        let a = GEMMTests.random(9, 300, &rng), w = GEMMTests.random(20, 300, &rng)
        var c = Matrix(rows: 9, cols: 20) { _, _ in .nan }
        a.withView { av in c.withMutableView { cv in gemm(.none, av, PackedWeights(w), bias: nil, cv) } }
        try GEMMTests.expectClose(c, .none, .transposed, 1, a, w, 0, Matrix(rows: 9, cols: 20), "no bias, NaNs in C")
    }

    static func run(_ transA: Transpose, _ a: Matrix, _ packed: PackedWeights, bias: [Float], activation: GEMMActivation, m: Int) -> Matrix {
        var c = Matrix(rows: m, cols: packed.outputs)
        a.withView { av in
            bias.withUnsafeBufferPointer { b in
                c.withMutableView { cv in gemm(transA, av, packed, bias: b.baseAddress!, activation: activation, cv) }
            }
        }
        return c
    }
}

/// The text encoder's vector GELU and softmax against `Double` references.
@Suite struct TransformerKernelsTests {
    @Test func geluMatchesTheErfFormula() {
        var worst = 0.0
        var x: Float = -9
        while x <= 9 {
            let lanes = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0007 })
            let result = Kernels.gelu(lanes)
            for lane in 0..<16 {
                let v = Double(lanes[lane])
                let reference = 0.5 * v * (1 + erf(v / 2.0.squareRoot()))
                worst = max(worst, abs(Double(result[lane]) - reference) / max(1, abs(reference)))
            }
            x += 0.0113
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
    }

    @Test func softmaxRowsMatchReferenceAndZeroThePadding() {
        var rng = RandomStream(seed: 15).derived("softmax-rows")
        for length in [1, 2, 7, 8, 9, 16, 17, 31, 64, 200] {
            let padded = (length + 15) / 16 * 16
            for offset: Float in [0, -500, 80] {
                var scores = (0..<(3 * padded)).map { _ in rng.uniform(-12, 12) + offset }
                let original = scores
                scores.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 3, padded: padded, length: length) }
                for row in 0..<3 {
                    let values = original[(row * padded)..<(row * padded + length)].map(Double.init)
                    let top = values.max()!
                    let total = values.reduce(0) { $0 + exp($1 - top) }
                    for j in 0..<padded {
                        let got = Double(scores[row * padded + j])
                        if j < length {
                            let reference = exp(values[j] - top) / total
                            // exp within ~4e-7, the row's float sum within length·u (which scales
                            // the whole row alike).
                            let tolerance = (1e-6 + Double(length) * 0x1p-24) * reference + 1e-37
                            #expect(abs(got - reference) <= tolerance, "length \(length) offset \(offset): \(got) vs \(reference)")
                        } else {
                            #expect(got == 0, "padding lane \(j) of length \(length) is \(got)")
                        }
                    }
                }
            }
        }
    }
}
