import Foundation
import NoisyCore
import Testing

/// The elementwise and reduction kernels against scalar `Double` references, at sizes that are not
/// multiples of 16 (so the SIMD body and the scalar tail both run).
@Suite struct KernelsTests {
    /// Relative error `|a − b| / max(|b|, floor)`.
    private func relativeError(_ a: Double, _ b: Double, floor: Double = 1e-30) -> Double {
        abs(a - b) / max(abs(b), floor)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 100])
    func sumAndDotMatchDouble(count: Int) {
        let x = TestData.normal(rows: 1, cols: max(count, 1), seed: 1).elements.prefix(count).map { $0 }
        let y = TestData.normal(rows: 1, cols: max(count, 1), seed: 2).elements.prefix(count).map { $0 }
        let s = x.withUnsafeBufferPointer { Kernels.sum($0.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: count) }
        let d = x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                Kernels.dot(xs.baseAddress ?? UnsafePointer(bitPattern: 64)!, ys.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: count)
            }
        }
        let sumRef = x.reduce(0.0) { $0 + Double($1) }
        let dotRef = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        // Float accumulation of ≤ 100 terms of size ~1: error ≲ 100·6e-8·Σ|terms|.
        let absSum = x.reduce(0.0) { $0 + Double(abs($1)) }
        #expect(abs(Double(s) - sumRef) <= 1e-5 * max(absSum, 1))
        #expect(abs(Double(d) - dotRef) <= 1e-5 * max(absSum, 1) * 3)
    }

    @Test func elementwiseOperations() {
        let a = TestData.normal(rows: 3, cols: 37, seed: 3)
        let b = TestData.normal(rows: 3, cols: 37, seed: 4)
        let sum = Kernels.add(a, b), product = Kernels.multiply(a, b)
        var axpy = b
        Kernels.axpy(-2.5, a, &axpy)
        var scaled = a
        Kernels.scale(&scaled, by: 0.75)
        for r in 0..<3 {
            for c in 0..<37 {
                #expect(sum[r, c] == a[r, c] + b[r, c])
                #expect(product[r, c] == a[r, c] * b[r, c])
                #expect(axpy[r, c] == b[r, c] + -2.5 * a[r, c])
                #expect(scaled[r, c] == a[r, c] * 0.75)
            }
        }
    }

    @Test func biasAddBroadcastsOverRows() {
        var x = TestData.normal(rows: 4, cols: 21, seed: 5)
        let original = x
        let bias = TestData.normal(rows: 1, cols: 21, seed: 6)
        Kernels.addRowVector(bias, to: &x)
        for r in 0..<4 {
            for c in 0..<21 { #expect(x[r, c] == original[r, c] + bias[0, c]) }
        }
    }

    @Test func reluForwardAndBackward() {
        let x = Matrix(rows: 2, cols: 19) { r, c in Float(c - 9) * (r == 0 ? 1 : -0.5) }
        let g = TestData.normal(rows: 2, cols: 19, seed: 7)
        let y = Kernels.relu(x)
        let dx = Kernels.reluBackward(g, input: x)
        for r in 0..<2 {
            for c in 0..<19 {
                #expect(y[r, c] == max(x[r, c], 0))
                #expect(dx[r, c] == (x[r, c] > 0 ? g[r, c] : 0))  // 0 at x == 0, as PyTorch
            }
        }
        #expect(Kernels.relu(Matrix(rows: 1, cols: 1, elements: [.nan]))[0, 0].isNaN)
    }

    @Test func softmaxOfHugeLogitsIsFiniteAndNormalised() {
        let x = Matrix(rows: 3, cols: 18) { r, c in
            switch r {
            case 0: c == 4 ? 1e30 : -1e30
            case 1: Float(c) * 1e37 - 8e37
            default: Float(c) * 100   // exp(1700) would overflow without the shift
            }
        }
        let p = Kernels.softmaxRows(x)
        let logP = Kernels.logSoftmaxRows(x)
        for r in 0..<3 {
            let row = p.row(r)
            #expect(row.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
            #expect(abs(row.reduce(0, +) - 1) <= 1e-6)
            #expect(logP.row(r).allSatisfy { !$0.isNaN && $0 <= 0 })
        }
        #expect(p[0, 4] == 1)
        #expect(p[2, 17] > 0.99 && logP[2, 17] > -1e-3)
        #expect(logP[2, 0] == -1700)   // exactly x − max when the others vanish
    }

    @Test func softmaxMatchesDouble() {
        let x = TestData.normal(rows: 5, cols: 33, standardDeviation: 3, seed: 8)
        let p = Kernels.softmaxRows(x), logP = Kernels.logSoftmaxRows(x)
        for r in 0..<5 {
            let row = x.row(r).map(Double.init)
            let m = row.max()!
            let z = row.reduce(0.0) { $0 + Foundation.exp($1 - m) }
            for c in 0..<33 {
                let ref = Foundation.exp(row[c] - m) / z
                #expect(relativeError(Double(p[r, c]), ref) <= 1e-5)
                #expect(abs(Double(logP[r, c]) - Foundation.log(ref)) <= 1e-5 * max(1, abs(Foundation.log(ref))))
            }
        }
    }

    @Test func logSumExpIsStable() {
        let x: [Float] = [1e38, 1e38, -1e38]
        let lse = x.withUnsafeBufferPointer { Kernels.logSumExp($0.baseAddress!, count: 3) }
        #expect(lse == 1e38)  // 1e38 + log 2 rounds to 1e38 in Float, and nothing overflowed
    }

    @Test func l2NormaliseRows() {
        var x = TestData.normal(rows: 4, cols: 23, seed: 9)
        x.withUnsafeMutableBufferPointer { p in for c in 0..<23 { p[2 * 23 + c] = 0 } }  // a zero row
        let y = Kernels.l2NormalizeRows(x)
        #expect(y.elements.allSatisfy { $0.isFinite })
        #expect(y.row(2).allSatisfy { $0 == 0 })
        for r in [0, 1, 3] {
            let norm = y.row(r).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) <= 1e-6)
            let xNorm = x.row(r).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            for c in 0..<23 { #expect(abs(Double(y[r, c]) - Double(x[r, c]) / xNorm) <= 1e-6) }
        }
        let g = TestData.normal(rows: 4, cols: 23, seed: 10)
        let dx = Kernels.l2NormalizeRowsBackward(g, input: x)
        #expect(dx.elements.allSatisfy { $0.isFinite })
        // The gradient is orthogonal to the row (normalisation ignores the radial direction).
        for r in [0, 1, 3] {
            let radial = zip(dx.row(r), x.row(r)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(radial) <= 1e-5)
        }
    }

    @Test func l2NormaliseBackwardMatchesFiniteDifferences() {
        let x = TestData.normal(rows: 3, cols: 20, seed: 11)
        let weights = TestData.normal(rows: 3, cols: 20, seed: 12)
        let dx = Kernels.l2NormalizeRowsBackward(weights, input: x)
        func objective(_ m: Matrix) -> Double {
            let y = Kernels.l2NormalizeRows(m)
            return zip(y.elements, weights.elements).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let h: Float = 1e-2
        for index in 0..<x.count {
            var up = x, down = x
            up.withUnsafeMutableBufferPointer { $0[index] += h }
            down.withUnsafeMutableBufferPointer { $0[index] -= h }
            let numeric = (objective(up) - objective(down)) / Double(2 * h)
            let analytic = Double(dx.elements[index])
            #expect(abs(numeric - analytic) <= 2e-2 * max(abs(numeric), abs(analytic)) + 2e-3, "coordinate \(index)")
        }
    }

    /// Two-pass variance in `Double` agrees with a `Double` computation even when the mean is
    /// 10⁴ times the spread (where the one-pass `E[x²] − E[x]²` in `Float` loses every digit).
    @Test func columnVarianceEqualsDouble() {
        var rng = RandomStream(seed: 13)
        let rows = 1000, cols = 21
        let x = Matrix(rows: rows, cols: cols) { _, c in 1e4 * Float(c + 1) + rng.normal() }
        let (mean, biased) = Kernels.columnMeanAndVariance(x, unbiased: false)
        let (_, unbiased) = Kernels.columnMeanAndVariance(x, unbiased: true)
        let means = Kernels.columnMeans(x), sums = Kernels.columnSums(x)
        for c in 0..<cols {
            let column = (0..<rows).map { Double(x[$0, c]) }
            let m = column.reduce(0, +) / Double(rows)
            let ss = column.reduce(0.0) { $0 + ($1 - m) * ($1 - m) }
            #expect(relativeError(Double(mean[0, c]), m) <= 1e-7)
            #expect(means[0, c] == mean[0, c])
            #expect(relativeError(Double(sums[0, c]), m * Double(rows)) <= 1e-7)
            #expect(relativeError(Double(biased[0, c]), ss / Double(rows)) <= 1e-6)
            #expect(relativeError(Double(unbiased[0, c]), ss / Double(rows - 1)) <= 1e-6)
        }
    }

    @Test func argmaxAndAccuracy() {
        let logits = Matrix(rows: 4, cols: 3, elements: [
            0, 2, 1,
            5, 5, 1,   // tie: the first wins
            -1, -3, -2,
            0, .nan, 9,  // NaN counts as the largest, as torch.argmax
        ])
        #expect(Kernels.argmaxRows(logits) == [1, 0, 0, 1])
        #expect(Kernels.accuracy(logits: logits, labels: [1, 1, 0, 2]) == 0.5)
    }

    @Test func reductionsAreBitwiseReproducible() {
        let x = TestData.normal(rows: 64, cols: 45, seed: 14)
        #expect(Kernels.columnMeanAndVariance(x, unbiased: true).variance == Kernels.columnMeanAndVariance(x, unbiased: true).variance)
        #expect(Kernels.softmaxRows(x) == Kernels.softmaxRows(x))
        #expect(Kernels.l2NormalizeRows(x) == Kernels.l2NormalizeRows(x))
    }
}
