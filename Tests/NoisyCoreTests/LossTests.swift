import Foundation
import NoisyCore
import Testing

/// Loss values against `Double` computations; stability at extreme logits.
@Suite struct LossTests {
    @Test func crossEntropyMatchesDouble() {
        let logits = TestData.normal(rows: 7, cols: 10, standardDeviation: 3, seed: 1)
        let labels = [3, 0, 9, 9, 4, 1, 7]
        let result = Loss.softmaxCrossEntropy(logits: logits, labels: labels)
        var expected = 0.0
        for r in 0..<7 {
            let row = logits.row(r).map(Double.init)
            let m = row.max()!
            let lse = m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp($1 - m) })
            expected += lse - row[labels[r]]
            for c in 0..<10 {
                let p = Foundation.exp(row[c] - lse)
                let g = (p - (c == labels[r] ? 1 : 0)) / 7
                #expect(abs(Double(result.gradient[r, c]) - g) <= 1e-6)
            }
        }
        expected /= 7
        #expect(abs(Double(result.value) - expected) <= 1e-6 * expected)
        // Each gradient row sums to 0 (softmax sums to 1, minus the one-hot).
        for r in 0..<7 { #expect(abs(result.gradient.row(r).reduce(0, +)) <= 1e-7) }
    }

    @Test func crossEntropyIsStableAtExtremeLogits() {
        let logits = Matrix(rows: 2, cols: 3, elements: [1e30, -1e30, 0, 1e4, 1e4 - 50, 0])
        let result = Loss.softmaxCrossEntropy(logits: logits, labels: [1, 1])
        #expect(result.value.isFinite)
        // Row 0: label logit 2e30 below the max → loss 2e30; row 1: 50 below → loss ≈ 50.
        #expect(abs(Double(result.value) - (2e30 + 50) / 2) <= 1e24)
        #expect(result.gradient.elements.allSatisfy { $0.isFinite })
        #expect(abs(result.gradient[0, 0] - 0.5) <= 1e-7 && abs(result.gradient[0, 1] + 0.5) <= 1e-7)
        let confident = Loss.softmaxCrossEntropy(logits: Matrix(rows: 1, cols: 2, elements: [100, -100]), labels: [0])
        #expect(confident.value == 0 && confident.gradient == Matrix(rows: 1, cols: 2))
    }

    @Test func meanSquaredErrorMatchesDouble() {
        let p = TestData.normal(rows: 5, cols: 19, seed: 2), t = TestData.normal(rows: 5, cols: 19, seed: 3)
        let result = Loss.meanSquaredError(prediction: p, target: t)
        let diffs = zip(p.elements, t.elements).map { Double($0) - Double($1) }
        let expected = diffs.reduce(0.0) { $0 + $1 * $1 } / Double(diffs.count)
        #expect(abs(Double(result.value) - expected) <= 1e-6 * expected)
        for (g, d) in zip(result.gradient.elements, diffs) { #expect(abs(Double(g) - 2 * d / 95) <= 1e-7) }
        #expect(Loss.meanSquaredError(prediction: p, target: p).value == 0)
    }
}
