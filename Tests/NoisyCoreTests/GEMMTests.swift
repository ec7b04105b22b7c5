import Foundation
import NoisyCore
import Testing

/// Correctness of `gemm` against a naive `Double` reference.
///
/// Tolerance, per element: |c − ref| ≤ (k + 3) · 2⁻²⁴ · (|α|·Σₚ|op(A)ᵢₚ|·|op(B)ₚⱼ| + |β|·|c₀ᵢⱼ|) + 1e-30,
/// the standard forward error bound of a length-k float dot product plus the α and β roundings
/// (u = 2⁻²⁴); the reference itself is exact to far below that in `Double`.
@Suite struct GEMMTests {
    /// All four transpose combinations.
    static let transposes: [(Transpose, Transpose)] = [
        (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed),
    ]

    /// Shapes (m, n, k): 1×1×1; just below/at/above multiples of the 6×16 micro-tile, of the 8- and
    /// 16-step packing transposes and of the 256-deep k block; above the 252-row A block and the
    /// 1024-column B block; and seeded random ones in 1…67.
    static let shapes: [(Int, Int, Int)] = {
        var list = [(1, 1, 1), (1, 1, 7), (2, 3, 1), (5, 15, 9), (6, 16, 8), (7, 17, 16), (12, 32, 17),
                    (13, 33, 24), (11, 31, 15), (18, 48, 255), (6, 16, 256), (7, 17, 257), (3, 5, 513),
                    (253, 16, 9), (252, 20, 5), (6, 1025, 3), (67, 67, 67), (1, 67, 40), (67, 1, 40), (33, 2, 66)]
        var rng = RandomStream(seed: 2024).derived("gemm-test-shapes")
        for _ in 0..<24 {
            list.append((1 + rng.nextInt(below: 67), 1 + rng.nextInt(below: 67), 1 + rng.nextInt(below: 67)))
        }
        return list
    }()

    @Test(arguments: 0..<4)
    func matchesReferenceForAllShapes(transIndex: Int) throws {
        let (transA, transB) = Self.transposes[transIndex]
        var rng = RandomStream(seed: 7).derived("gemm-shapes", UInt64(transIndex))
        for (m, n, k) in Self.shapes {
            let a = Self.random(transA == .none ? m : k, transA == .none ? k : m, &rng)
            let b = Self.random(transB == .none ? k : n, transB == .none ? n : k, &rng)
            let c0 = Self.random(m, n, &rng)
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, -0.75)] {
                var c = c0
                a.withView { av in b.withView { bv in c.withMutableView { cv in
                    gemm(transA, transB, alpha: alpha, av, bv, beta: beta, cv)
                } } }
                try Self.expectClose(c, transA, transB, alpha, a, b, beta, c0, "m=\(m) n=\(n) k=\(k) α=\(alpha) β=\(beta) trans=\(transA),\(transB)")
            }
        }
    }

    @Test func betaZeroDoesNotReadNaNsInC() throws {
        var rng = RandomStream(seed: 11)
        for (transA, transB) in Self.transposes {
            for (m, n, k) in [(1, 1, 1), (9, 33, 17), (40, 70, 300)] {
                let a = Self.random(transA == .none ? m : k, transA == .none ? k : m, &rng)
                let b = Self.random(transB == .none ? k : n, transB == .none ? n : k, &rng)
                let c0 = Matrix(rows: m, cols: n, repeating: .nan)
                var c = c0
                a.withView { av in b.withView { bv in c.withMutableView { cv in
                    gemm(transA, transB, alpha: 1.5, av, bv, beta: 0, cv)
                } } }
                let allFinite = c.elements.allSatisfy { $0.isFinite }
                #expect(allFinite, "NaN leaked from C with β=0 at m=\(m) n=\(n) k=\(k)")
                try Self.expectClose(c, transA, transB, 1.5, a, b, 0, Matrix(rows: m, cols: n), "β=0 NaN C m=\(m) n=\(n) k=\(k)")
            }
        }
    }

    @Test func alphaZeroOrEmptyKOnlyScalesC() {
        var rng = RandomStream(seed: 12)
        let aNaN = Matrix(rows: 5, cols: 4, repeating: .nan)
        let b = Self.random(4, 6, &rng)
        let c0 = Self.random(5, 6, &rng)
        var c = c0
        aNaN.withView { av in b.withView { bv in c.withMutableView { cv in
            gemm(.none, .none, alpha: 0, av, bv, beta: 0.5, cv)
        } } }
        let scaled = Matrix(rows: 5, cols: 6) { r, col in 0.5 * c0[r, col] }
        #expect(c == scaled, "α=0 must give β·C without reading A")

        let emptyA = Matrix(rows: 5, cols: 0), emptyB = Matrix(rows: 0, cols: 6)
        var d = Matrix(rows: 5, cols: 6, repeating: .nan)
        emptyA.withView { av in emptyB.withView { bv in d.withMutableView { dv in
            gemm(.none, .none, alpha: 1, av, bv, beta: 0, dv)
        } } }
        #expect(d == Matrix(rows: 5, cols: 6), "k=0, β=0 must give zeros")
    }

    @Test func emptyOutputsAreNoOps() {
        for (m, n, k) in [(0, 5, 3), (4, 0, 3), (0, 0, 0)] {
            let a = Matrix(rows: m, cols: k), b = Matrix(rows: k, cols: n)
            var c = Matrix(rows: m, cols: n)
            a.withView { av in b.withView { bv in c.withMutableView { cv in
                gemm(.none, .none, alpha: 1, av, bv, beta: 1, cv)
            } } }
            #expect(c.rows == m && c.cols == n)
        }
    }

    @Test(arguments: 0..<4)
    func stridedViewsReadAndWriteOnlyTheirElements(transIndex: Int) throws {
        let (transA, transB) = Self.transposes[transIndex]
        var rng = RandomStream(seed: 13).derived("gemm-views", UInt64(transIndex))
        for (m, n, k) in [(1, 1, 1), (9, 33, 17), (37, 45, 260)] {
            let (ar, ac) = transA == .none ? (m, k) : (k, m)
            let (br, bc) = transB == .none ? (k, n) : (n, k)
            // Operands are interior blocks of larger matrices, so their row stride exceeds their width.
            let bigA = Self.random(ar + 5, ac + 7, &rng)
            let bigB = Self.random(br + 3, bc + 9, &rng)
            let bigC0 = Self.random(m + 4, n + 6, &rng)
            var bigC = bigC0
            bigA.withView { av in bigB.withView { bv in bigC.withMutableView { cv in
                gemm(transA, transB, alpha: -2, av.rows(2..<(2 + ar)).cols(3..<(3 + ac)),
                     bv.rows(1..<(1 + br)).cols(4..<(4 + bc)),
                     beta: 0.25, cv.rows(3..<(3 + m)).cols(5..<(5 + n)))
            } } }
            let a = bigA.withView { $0.rows(2..<(2 + ar)).cols(3..<(3 + ac)).copy() }
            let b = bigB.withView { $0.rows(1..<(1 + br)).cols(4..<(4 + bc)).copy() }
            let c0 = bigC0.withView { $0.rows(3..<(3 + m)).cols(5..<(5 + n)).copy() }
            let c = bigC.withView { $0.rows(3..<(3 + m)).cols(5..<(5 + n)).copy() }
            try Self.expectClose(c, transA, transB, -2, a, b, 0.25, c0, "strided m=\(m) n=\(n) k=\(k)")
            for r in 0..<bigC.rows {
                for col in 0..<bigC.cols where !((3..<(3 + m)).contains(r) && (5..<(5 + n)).contains(col)) {
                    #expect(bigC[r, col].bitPattern == bigC0[r, col].bitPattern,
                            "element (\(r), \(col)) outside the C view changed, m=\(m) n=\(n) k=\(k)")
                }
            }
        }
    }

    @Test(arguments: 0..<4)
    func largeSquareMatchesReference(transIndex: Int) throws {
        let (transA, transB) = Self.transposes[transIndex]
        var rng = RandomStream(seed: 14).derived("gemm-512", UInt64(transIndex))
        let a = Self.random(512, 512, &rng), b = Self.random(512, 512, &rng), c0 = Self.random(512, 512, &rng)
        var c = c0
        a.withView { av in b.withView { bv in c.withMutableView { cv in
            gemm(transA, transB, alpha: 1, av, bv, beta: 1, cv)
        } } }
        try Self.expectClose(c, transA, transB, 1, a, b, 1, c0, "512×512 trans=\(transA),\(transB)")
    }

    @Test func resultIsBitwiseReproducibleAndIndependentOfCLayout() {
        var rng = RandomStream(seed: 15)
        let (m, n, k) = (100, 70, 300)
        let a = Self.random(m, k, &rng), b = Self.random(n, k, &rng), c0 = Self.random(m, n, &rng)
        func run(into c: inout Matrix) {
            a.withView { av in b.withView { bv in c.withMutableView { cv in
                gemm(.none, .transposed, alpha: 0.7, av, bv, beta: 0.3, cv)
            } } }
        }
        var first = c0, second = c0
        run(into: &first)
        run(into: &second)
        #expect(first == second, "two identical gemm calls differ bitwise")

        // The same C as a view into a larger matrix at an odd offset and stride.
        var big = Matrix(rows: m + 3, cols: n + 5, repeating: 9)
        big.withMutableView { bigView in
            let view = bigView.rows(1..<(1 + m)).cols(3..<(3 + n))
            for r in 0..<m { for col in 0..<n { view[r, col] = c0[r, col] } }
            a.withView { av in b.withView { bv in
                gemm(.none, .transposed, alpha: 0.7, av, bv, beta: 0.3, view)
            } }
        }
        let viaView = big.withView { $0.rows(1..<(1 + m)).cols(3..<(3 + n)).copy() }
        #expect(viaView == first, "gemm into a strided view differs bitwise from gemm into a fresh matrix")
    }

    @Test func concurrentCallsAgreeWithASingleThreadedCall() {
        var rng = RandomStream(seed: 16)
        let (m, n, k) = (90, 600, 270)
        let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
        let expected = Matrix.multiply(a, b)
        let results = ConcurrentResults(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            for _ in 0..<3 { results.store(Matrix.multiply(a, b), at: index) }
        }
        for index in 0..<4 {
            #expect(results.load(index) == expected, "thread \(index) got a different product")
        }
    }

    // MARK: - Helpers

    static func random(_ rows: Int, _ cols: Int, _ rng: inout RandomStream) -> Matrix {
        Matrix(rows: rows, cols: cols) { _, _ in rng.uniform(-1, 1) }
    }

    /// Checks `c` against `alpha · op(a) · op(b) + beta · c0` computed in `Double`, with the bound in
    /// the suite's documentation.
    static func expectClose(
        _ c: Matrix, _ transA: Transpose, _ transB: Transpose, _ alpha: Float, _ a: Matrix, _ b: Matrix,
        _ beta: Float, _ c0: Matrix, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let m = c.rows, n = c.cols
        let k = transA == .none ? a.cols : a.rows
        let u = 0x1p-24
        var failures = 0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transA == .none ? a[i, p] : a[p, i])
                    let y = Double(transB == .none ? b[p, j] : b[j, p])
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let reference = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c0[i, j]))
                let scale = abs(Double(alpha)) * magnitude + (beta == 0 ? 0 : abs(Double(beta) * Double(c0[i, j])))
                let tolerance = Double(k + 3) * u * scale + 1e-30
                let error = abs(Double(c[i, j]) - reference)
                if !(error <= tolerance) {
                    failures += 1
                    if failures <= 3 {
                        Issue.record("\(label): C[\(i), \(j)] = \(c[i, j]), reference \(reference), error \(error) > tolerance \(tolerance)",
                                     sourceLocation: sourceLocation)
                    }
                }
            }
        }
        try #require(failures == 0, "\(label): \(failures) of \(m * n) elements outside tolerance", sourceLocation: sourceLocation)
    }
}

/// Slots written by concurrent test threads, one lock around them.
private final class ConcurrentResults: @unchecked Sendable {
    // @unchecked: every access to `slots` holds `lock`.
    private let lock = NSLock()
    private var slots: [Matrix?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ matrix: Matrix, at index: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = matrix
    }

    func load(_ index: Int) -> Matrix? {
        lock.lock(); defer { lock.unlock() }
        return slots[index]
    }
}
