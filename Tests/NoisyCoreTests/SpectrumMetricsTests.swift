import Foundation
import NoisyCore
import Testing

@Suite struct SpectrumMetricsTests {
    @Test func equalSingularValuesGiveMaximalEntropy() throws {
        let m = try SpectrumMetrics(singularValues: [Float](repeating: 2, count: 16))
        #expect(abs(m.sve - log(16)) < 1e-12)
        #expect(abs(m.lsvr - log(16)) < 1e-12)
    }

    @Test func knownSpectrum() throws {
        // σ = (4, 3, 2, 1): p = (0.4, 0.3, 0.2, 0.1).
        let m = try SpectrumMetrics(singularValues: [1, 4, 2, 3])
        let expectedSVE = -(0.4 * log(0.4) + 0.3 * log(0.3) + 0.2 * log(0.2) + 0.1 * log(0.1))
        #expect(abs(m.sve - expectedSVE) < 1e-12)
        #expect(abs(m.lsvr - (-log(0.4))) < 1e-12)
    }

    @Test func rankOneHasZeroEntropy() throws {
        let m = try SpectrumMetrics(singularValues: [5, 0, 0])
        #expect(m.sve == 0 && m.lsvr == 0)
    }

    @Test func invalidInputIsRefused() {
        #expect(throws: SpectrumMetricsError.zeroMatrix) { try SpectrumMetrics(singularValues: [0, 0]) }
        #expect(throws: SpectrumMetricsError.empty) { try SpectrumMetrics(singularValues: []) }
    }
}

@Suite struct FeatureSpectrumTests {
    /// Rows e_i of the identity: after the row-mean subtraction the matrix is I − J/D, a projection
    /// with D − 1 singular values 1 and one 0, so SVE = LSVR = ln(D − 1).
    @Test func identityFeaturesGiveLogOfRankAfterCentring() throws {
        let d = 8
        let m = try SpectrumMetrics(features: Matrix(rows: d, cols: d) { r, c in r == c ? 3 : 0 })
        #expect(abs(m.sve - log(Double(d - 1))) < 1e-5)
        #expect(abs(m.lsvr - log(Double(d - 1))) < 1e-5)
    }

    @Test func rowScaleDoesNotMatter() throws {
        var rng = RandomStream(seed: 4)
        let f = Matrix(rows: 50, cols: 16) { _, _ in rng.normal() }
        var scaled = f
        for r in 0..<50 { for c in 0..<16 { scaled[r, c] = f[r, c] * Float(r + 1) } }
        let a = try SpectrumMetrics(features: f), b = try SpectrumMetrics(features: scaled)
        #expect(abs(a.sve - b.sve) < 1e-4 && abs(a.lsvr - b.lsvr) < 1e-4)
    }

    @Test func identicalRowsHaveNoSpread() {
        #expect(throws: SpectrumMetricsError.self) {
            try SpectrumMetrics(features: Matrix(rows: 5, cols: 4, repeating: 1))
        }
    }
}
