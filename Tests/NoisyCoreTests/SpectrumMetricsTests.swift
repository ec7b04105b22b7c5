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
